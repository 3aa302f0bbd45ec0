#pragma once
// An anchor: what an auditor keeps outside the machine to prove later that the audit log still
// holds every entry it held then, unchanged. It records the entry count, the last entry's id
// and MAC, and the running digest over every entry up to it (nextEntryDigest). Every
// compliance report carries one; `keywarden-cli audit anchor` writes one on its own, and
// `keywarden-cli audit verify --anchor FILE` checks the log against either.
//
// The digest covers each entry's content and MAC, so an anchor catches an entry edited,
// removed, inserted or reordered among those it covered, and a log cut short, whether or not
// the log is keyed and whether or not a break was acknowledged since. It says nothing about
// entries written after it; the chain and the keychain's head cover those.

#include "core/audit/auditstore.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>

namespace kw::audit {

// The log no longer holds what the anchor covered.
inline constexpr QLatin1String ErrorAnchorMismatch{"audit.anchor_mismatch"};
// The file is not an anchor, nor a report that carries one.
inline constexpr QLatin1String ErrorAnchorUnreadable{"audit.anchor_unreadable"};

struct AuditAnchor
{
    qint64 entries = 0; // how many entries it covers: the first `entries` in id order
    qint64 lastId = 0;  // the id of the last of them (0 when the log was empty)
    QString lastMac;    // its MAC, hex
    QString digest;     // nextEntryDigest over all of them, hex
    qint64 createdMs = 0;
    QString logPath; // for people; the check does not depend on it

    static constexpr QLatin1String Format{"keywarden-audit-anchor"};

    // {"format": "keywarden-audit-anchor", "version": 1, "entries": ..., ...}
    [[nodiscard]] QJsonObject toJson() const;
    static Result<AuditAnchor> fromJson(const QJsonObject &object);
    // The same, its errors naming `source` ("report.json holds no audit anchor: …").
    static Result<AuditAnchor> fromJson(const QJsonObject &object, const QString &source);
    // An anchor file, or a report that carries one: a JSON report (its "auditAnchor" member)
    // or an HTML report (the <script type="application/json" id="keywarden-audit-anchor">
    // element). `source` names the file in messages.
    static Result<AuditAnchor> fromBytes(const QByteArray &bytes, const QString &source);
    static Result<AuditAnchor> fromFile(const QString &path);
};

// The anchor for the log as it is now.
Result<AuditAnchor> anchorOf(const AuditStore &store, qint64 nowMs);

// Checks that the log still holds, first in id order, exactly the entries `anchor` covered.
// Ok when it does; ErrorAnchorMismatch naming what differs when not (the first entry whose
// chain link or MAC fails, when the chain shows it). Fails with ErrorStorage when the log
// cannot be read.
Result<void> checkAnchor(const AuditStore &store, const AuditAnchor &anchor);

} // namespace kw::audit
