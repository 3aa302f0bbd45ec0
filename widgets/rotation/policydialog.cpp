#include "widgets/rotation/policydialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace kw::rotation {

namespace {

QSpinBox *daysBox(int value, const char *name)
{
    auto *box = new QSpinBox;
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(1, 36500);
    box->setSuffix(QObject::tr(" days"));
    box->setValue(value);
    return box;
}

QSpinBox *log2Box(double limit, const char *name)
{
    auto *box = new QSpinBox;
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(1, 64);
    box->setPrefix(QStringLiteral("2^"));
    box->setValue(int(std::lround(std::log2(std::max(limit, 2.0)))));
    return box;
}

} // namespace

PolicyDialog::PolicyDialog(const census::Policy &policy, QWidget *parent)
    : QDialog(parent)
    , m_base(policy)
{
    setWindowTitle(tr("Rotation policy"));
    setObjectName(QStringLiteral("policyDialog"));
    m_cryptoperiod = daysBox(policy.dekCryptoperiodDays, "policyCryptoperiod");
    m_maxAge = daysBox(policy.dekMaxAgeDays, "policyMaxAge");
    m_dueSoon = daysBox(policy.dueSoonDays, "policyDueSoon");
    m_deleteGrace = daysBox(policy.deleteGraceDays, "policyDeleteGrace");
    m_deleteGrace->setToolTip(tr("A permanent delete is refused until the rows have been "
                                 "soft-deleted this long (unless overridden with a typed "
                                 "confirmation): longer than clients typically cache a DEK."));
    m_warnShare = new QDoubleSpinBox;
    m_warnShare->setObjectName(QStringLiteral("policyWarnShare"));
    m_warnShare->setRange(1, 100);
    m_warnShare->setSuffix(QStringLiteral(" %"));
    m_warnShare->setValue(policy.limitWarnShare * 100);
    m_gcmLog2 = log2Box(policy.limitFor(QStringLiteral("AES256_GCM")), "policyGcmLimit");
    m_sivLog2 = log2Box(policy.limitFor(QStringLiteral("AES256_SIV")), "policySivLimit");

    auto *form = new QFormLayout;
    form->addRow(tr("DEK cryptoperiod (rules rotating later are flagged):"), m_cryptoperiod);
    form->addRow(tr("Flag a version still in use after:"), m_maxAge);
    form->addRow(tr("Due soon within:"), m_dueSoon);
    form->addRow(tr("Permanent delete after a soft delete of at least:"), m_deleteGrace);
    form->addRow(tr("AES-GCM invocations per key (NIST SP 800-38D):"), m_gcmLog2);
    form->addRow(tr("AES-SIV invocations per key (RFC 5297):"), m_sivLog2);
    form->addRow(tr("Warn at this share of the limit:"), m_warnShare);

    auto *note = new QLabel(
        tr("Defaults: a 365-day cryptoperiod, versions flagged after two "
           "years (NIST SP 800-57 Table 1), 2^32 AES-GCM and 2^48 AES-SIV "
           "invocations per key, a warning at 50%, and permanent deletes 7 days after the soft "
           "delete."));
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::RestoreDefaults);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                const census::Policy defaults;
                m_cryptoperiod->setValue(defaults.dekCryptoperiodDays);
                m_maxAge->setValue(defaults.dekMaxAgeDays);
                m_dueSoon->setValue(defaults.dueSoonDays);
                m_deleteGrace->setValue(defaults.deleteGraceDays);
                m_warnShare->setValue(defaults.limitWarnShare * 100);
                m_gcmLog2->setValue(32);
                m_sivLog2->setValue(48);
            });
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

census::Policy PolicyDialog::policy() const
{
    census::Policy p = m_base;
    p.dekCryptoperiodDays = m_cryptoperiod->value();
    p.dekMaxAgeDays = m_maxAge->value();
    p.dueSoonDays = m_dueSoon->value();
    p.deleteGraceDays = m_deleteGrace->value();
    p.limitWarnShare = m_warnShare->value() / 100.0;
    const double gcm = std::ldexp(1.0, m_gcmLog2->value());
    p.limits.insert(QStringLiteral("AES128_GCM"), gcm);
    p.limits.insert(QStringLiteral("AES256_GCM"), gcm);
    p.limits.insert(QStringLiteral("AES256_SIV"), std::ldexp(1.0, m_sivLog2->value()));
    return p;
}

} // namespace kw::rotation
