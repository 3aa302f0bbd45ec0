#include "core/serde/wildcard.h"

#include <vector>

namespace kw::serde {

namespace {

enum class TokenKind
{
    Literal,
    AnyInSegment,
    AnyAcrossSegments,
    OneChar
};

struct Token
{
    TokenKind kind;
    QChar ch;
};

std::vector<Token> tokenize(QStringView pattern)
{
    // Confluent treats "**.*" like "**": the trailing segment wildcard adds nothing.
    const QString src = pattern.toString().replace(QStringLiteral("**.*"), QStringLiteral("**"));
    std::vector<Token> tokens;
    tokens.reserve(static_cast<size_t>(src.size()));
    for (qsizetype i = 0; i < src.size(); ++i) {
        const QChar c = src.at(i);
        if (c == u'*') {
            if (i + 1 < src.size() && src.at(i + 1) == u'*') {
                tokens.push_back({TokenKind::AnyAcrossSegments, {}});
                ++i;
            } else {
                tokens.push_back({TokenKind::AnyInSegment, {}});
            }
        } else if (c == u'?') {
            tokens.push_back({TokenKind::OneChar, {}});
        } else if (c == u'\\' && i + 1 < src.size()) {
            tokens.push_back({TokenKind::Literal, src.at(++i)});
        } else {
            tokens.push_back({TokenKind::Literal, c});
        }
    }
    return tokens;
}

} // namespace

bool wildcardMatch(QStringView pattern, QStringView path)
{
    const std::vector<Token> tokens = tokenize(pattern);
    const size_t m = tokens.size();
    const size_t n = static_cast<size_t>(path.size());
    // next[j]: tokens[i+1..] match path[j..]; cur[j]: tokens[i..] match path[j..].
    std::vector<char> next(n + 1, 0);
    std::vector<char> cur(n + 1, 0);
    next[n] = 1; // empty pattern matches only the empty rest
    for (size_t ii = m; ii-- > 0;) {
        const Token &t = tokens[ii];
        for (size_t jj = n + 1; jj-- > 0;) {
            const bool more = jj < n;
            const QChar c = more ? path.at(static_cast<qsizetype>(jj)) : QChar();
            bool ok = false;
            switch (t.kind) {
            case TokenKind::Literal:
                ok = more && c == t.ch && next[jj + 1];
                break;
            case TokenKind::OneChar:
                ok = more && c != u'.' && next[jj + 1];
                break;
            case TokenKind::AnyInSegment:
                ok = next[jj] || (more && c != u'.' && cur[jj + 1]);
                break;
            case TokenKind::AnyAcrossSegments:
                ok = next[jj] || (more && cur[jj + 1]);
                break;
            }
            cur[jj] = ok ? 1 : 0;
        }
        std::swap(cur, next);
    }
    return next[0] != 0;
}

QStringList tagsForPath(const MetadataTags &metadataTags, QStringView fullName)
{
    QStringList tags;
    for (auto it = metadataTags.cbegin(); it != metadataTags.cend(); ++it) {
        if (!wildcardMatch(it.key(), fullName)) {
            continue;
        }
        for (const QString &tag : it.value()) {
            if (!tags.contains(tag)) {
                tags.append(tag);
            }
        }
    }
    return tags;
}

} // namespace kw::serde
