#include "widgets/common/exportdialog.h"

#include <QFileDialog>

namespace kw {

QFileDialog *newExportDialog(QWidget *parent, const QString &title, const QString &objectName)
{
    auto *dialog = new QFileDialog(parent, title);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters(
        {QFileDialog::tr("JSON lines (*.jsonl)"), QFileDialog::tr("CSV (*.csv)")});
    dialog->setDefaultSuffix(QStringLiteral("jsonl"));
    QObject::connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString &filter) {
        dialog->setDefaultSuffix(filter.contains(QLatin1String("*.csv")) ? QStringLiteral("csv")
                                                                         : QStringLiteral("jsonl"));
    });
    return dialog;
}

} // namespace kw
