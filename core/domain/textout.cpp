#include "core/domain/textout.h"

#include <QIODevice>
#include <QSaveFile>

namespace kw {

QByteArray csvCell(const QString &text)
{
    QString cell = text;
    static const QString formulaStarts = QStringLiteral("=+-@\t\r");
    if (!cell.isEmpty() && formulaStarts.contains(cell.front()))
        cell.prepend(QLatin1Char('\''));
    const bool quote = cell.contains(QLatin1Char('"')) || cell.contains(QLatin1Char(',')) ||
                       cell.contains(QLatin1Char('\n')) || cell.contains(QLatin1Char('\r'));
    if (!quote)
        return cell.toUtf8();
    cell.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return '"' + cell.toUtf8() + '"';
}

void appendCsvRow(QByteArray &out, const QStringList &cells)
{
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i > 0)
            out += ',';
        out += csvCell(cells.at(i));
    }
    out += "\r\n"; // RFC 4180 line ends
}

Result<void> writeAll(QIODevice *device, const QByteArray &bytes, const QString &code,
                      const QString &what)
{
    if (!device || !device->isWritable())
        return makeError(code, QStringLiteral("%1 could not be written: the output is not open "
                                              "for writing.")
                                   .arg(what));
    qsizetype done = 0;
    while (done < bytes.size()) {
        const qint64 n = device->write(bytes.constData() + done, bytes.size() - done);
        if (n <= 0)
            return makeError(
                code,
                QStringLiteral("%1 could not be written: %2").arg(what, device->errorString()));
        done += qsizetype(n);
    }
    return {};
}

Result<void> savePrivateFile(const QString &path, const QString &code,
                             const std::function<Result<void>(QIODevice *)> &write)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(
            code, QStringLiteral("%1 could not be created: %2").arg(path, file.errorString()));
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return makeError(code, QStringLiteral("%1: its permissions could not be limited to the "
                                              "owner (%2).")
                                   .arg(path, file.errorString()));
    if (auto written = write(&file); !written)
        return written; // QSaveFile's destructor discards the partial file
    if (!file.commit())
        return makeError(
            code, QStringLiteral("%1 could not be written: %2").arg(path, file.errorString()));
    return {};
}

} // namespace kw
