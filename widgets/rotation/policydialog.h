#pragma once
// Edits the rotation policy: the DEK cryptoperiod, the age at which a version in use is
// flagged, the due-soon window, and the invocation limits with their warning share.

#include "core/census/schedule.h"

#include <QDialog>

class QDoubleSpinBox;
class QSpinBox;

namespace kw::rotation {

class PolicyDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit PolicyDialog(const census::Policy &policy, QWidget *parent = nullptr);

    [[nodiscard]] census::Policy policy() const;

private:
    QSpinBox *m_cryptoperiod = nullptr;
    QSpinBox *m_maxAge = nullptr;
    QSpinBox *m_dueSoon = nullptr;
    QSpinBox *m_deleteGrace = nullptr;
    QDoubleSpinBox *m_warnShare = nullptr;
    QSpinBox *m_gcmLog2 = nullptr;
    QSpinBox *m_sivLog2 = nullptr;
    census::Policy m_base;
};

} // namespace kw::rotation
