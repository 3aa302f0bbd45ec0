#pragma once
// The key workflow commands on the navigator's selection: Rotate DEK…, Rewrap DEKs…, Switch
// subject to another KEK…, Delete…, Delete permanently… and Undelete…. Each turns the selected
// node into a workflows::Request and hands it to `open` (the main window opens a
// WorkflowDialog); the planner, not the command, has the last word on what is allowed.

#include "core/workflows/workflow.h"

#include <QDialog>
#include <QModelIndex>

#include <functional>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace kw {

class CommandController;

// Action object names, in menu order.
inline constexpr const char *WorkflowActionNames[] = {
    "actionRotateDek", "actionRewrapDeks",           "actionSwitchKek",
    "actionDeleteKey", "actionDeleteKeyPermanently", "actionUndeleteKey",
};

// The request the workflow command `actionName` makes of navigator node `index`, or nothing
// when it does not apply to that node (what enables the command).
std::optional<workflows::Request> workflowRequestFor(const char *actionName,
                                                     const QModelIndex &index);

// Adds the commands. `kekNames` lists the KEKs the navigator knows (for the switch form);
// `open` opens the workflow dialog; forms open over `parent`.
void addWorkflowCommands(CommandController &commands, QWidget *parent,
                         std::function<QStringList()> kekNames,
                         std::function<void(const workflows::Request &)> open);

// Switch a subject to another KEK: the target KEK's name and, when it is new, how to register
// it (KMS type, key id, shared).
class SwitchKekForm final : public QDialog
{
    Q_OBJECT

public:
    SwitchKekForm(const QString &subject, const QString &currentKek, const QStringList &kekNames,
                  QWidget *parent = nullptr);
    // The request as filled in.
    [[nodiscard]] workflows::Request request() const;

private:
    void updateNewKekFields();

    QString m_subject;
    QStringList m_known;
    QComboBox *m_target = nullptr;
    QComboBox *m_kmsType = nullptr;
    QLineEdit *m_kmsKeyId = nullptr;
    QCheckBox *m_shared = nullptr;
};

} // namespace kw
