#include "widgets/highlighting/schemahighlighter.h"

#include "widgets/highlighting/jsonhighlighter.h"

#ifdef KEYWARDEN_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

namespace kw::SchemaHighlighting {

#ifdef KEYWARDEN_HAVE_KSYNTAXHIGHLIGHTING
namespace {
KSyntaxHighlighting::Repository &repository()
{
    // Loading the repository reads every syntax definition: do it once per process.
    static KSyntaxHighlighting::Repository repo;
    return repo;
}
} // namespace
#endif

QString backendName()
{
#ifdef KEYWARDEN_HAVE_KSYNTAXHIGHLIGHTING
    return QStringLiteral("KSyntaxHighlighting");
#else
    return QStringLiteral("built-in");
#endif
}

QSyntaxHighlighter *attach(QTextDocument *document, const QPalette &palette)
{
#ifdef KEYWARDEN_HAVE_KSYNTAXHIGHLIGHTING
    auto &repo = repository();
    const auto definition = repo.definitionForName(QStringLiteral("JSON"));
    if (definition.isValid()) {
        auto *highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document);
        const bool dark = palette.color(QPalette::Base).lightness() < 128;
        highlighter->setTheme(repo.defaultTheme(dark
                                                    ? KSyntaxHighlighting::Repository::DarkTheme
                                                    : KSyntaxHighlighting::Repository::LightTheme));
        highlighter->setDefinition(definition);
        return highlighter;
    }
#endif
    return new JsonHighlighter(document, palette);
}

} // namespace kw::SchemaHighlighting
