#include "widgets/dialogs/aboutdialog.h"

#include "core/services/buildinfo.h"
#include "widgets/highlighting/schemahighlighter.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

namespace kw {

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Keywarden"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/keywarden.svg")).pixmap(64, 64));
    auto *title = new QLabel(tr("<h2>Keywarden %1</h2>").arg(applicationVersion()), this);
    title->setObjectName(QStringLiteral("aboutTitle"));
    auto *blurb = new QLabel(tr("An administration console for the keys behind Kafka "
                                "client-side field level encryption: KEKs, DEKs and the "
                                "schemas and records they protect."),
                             this);
    blurb->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Application id:"), new QLabel(applicationId(), this));
    for (const ComponentVersion &c : runtimeComponents())
        form->addRow(c.name + QLatin1Char(':'), new QLabel(c.version, this));
    form->addRow(tr("Schema highlighting:"), new QLabel(SchemaHighlighting::backendName(), this));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    auto *header = new QHBoxLayout;
    header->addWidget(icon);
    header->addWidget(title, 1);
    layout->addLayout(header);
    layout->addWidget(blurb);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

} // namespace kw
