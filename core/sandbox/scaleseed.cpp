#include "core/sandbox/scaleseed.h"

#include "core/domain/registrytypes.h"
#include "core/sandbox/sandboxstore.h"

#include <QRandomGenerator>

namespace kw::sandbox {

Result<ScaleSeedStats> seedScale(SandboxStore &store, const ScaleSeedOptions &options)
{
    if (options.keks <= 0 || options.deks < 0 || options.subjectsPerKek <= 0)
        return makeError(QStringLiteral("sandbox.bad_seed"),
                         QStringLiteral("The scale seed needs at least one KEK and one subject "
                                        "per KEK."));
    const qint64 now = store.clock().nowMs();
    QRandomGenerator rng(5150);
    QList<registry::Kek> keks;
    keks.reserve(options.keks);
    QList<registry::Dek> deks;
    deks.reserve(options.deks);
    ScaleSeedStats stats;
    const int perKek = options.deks / options.keks;
    int extra = options.deks % options.keks;
    for (int k = 0; k < options.keks; ++k) {
        registry::Kek kek;
        kek.name = QStringLiteral("kek-%1").arg(k, 5, 10, QLatin1Char('0'));
        kek.kmsType = QStringLiteral("local-kms");
        kek.kmsKeyId = QStringLiteral("scale/") + kek.name;
        kek.doc = QStringLiteral("Synthetic KEK for the scale benchmark");
        kek.ts = now;
        keks.append(kek);

        int count = perKek + (extra > 0 ? 1 : 0);
        extra = qMax(0, extra - 1);
        const int subjects = qMin(options.subjectsPerKek, qMax(1, count));
        for (int s = 0; s < subjects && count > 0; ++s) {
            const QString subject = QStringLiteral("%1-topic-%2-value").arg(kek.name).arg(s);
            ++stats.subjects;
            // This subject's share of the KEK's DEKs; one of them SIV on every other subject.
            int share = count / (subjects - s);
            count -= share;
            const bool siv = s % 2 == 1 && share > 1;
            for (int v = 1; share > 0; ++v, --share) {
                registry::Dek dek;
                dek.kekName = kek.name;
                dek.subject = subject;
                dek.algorithm =
                    siv && share == 1 ? QStringLiteral("AES256_SIV") : QStringLiteral("AES256_GCM");
                dek.version = siv && share == 1 ? 1 : v;
                QByteArray wrapped(60, Qt::Uninitialized);
                for (char &c : wrapped)
                    c = char(rng.bounded(256));
                dek.encryptedKeyMaterial = wrapped;
                dek.ts = now;
                deks.append(dek);
            }
        }
    }
    if (auto inserted = store.bulkInsert(keks, deks); !inserted)
        return inserted.error();
    stats.keks = int(keks.size());
    stats.deks = int(deks.size());
    return stats;
}

} // namespace kw::sandbox
