#include "widgets/workflows/workflowcommands.h"

#include "models/navigator/navigatormodel.h"
#include "widgets/commands/command.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <cstring>

namespace kw {

using workflows::Action;
using workflows::Request;
using Kind = NavigatorModel::Kind;

namespace {

Kind kindOf(const QModelIndex &index)
{
    return Kind(index.data(NavigatorModel::KindRole).toInt());
}

bool deleted(const QModelIndex &index)
{
    return index.data(NavigatorModel::DeletedRole).toBool();
}

// The KEK node above a DEK subject or version (or the node itself).
QModelIndex kekNodeOf(QModelIndex index)
{
    while (index.isValid() && kindOf(index) != Kind::Kek)
        index = index.parent();
    return index;
}

Request dekRequest(Action action, const QModelIndex &index)
{
    Request r;
    r.action = action;
    r.kek = index.data(NavigatorModel::KekNameRole).toString();
    r.subject = index.data(NavigatorModel::SubjectRole).toString();
    if (kindOf(index) == Kind::DekVersion) {
        r.version = index.data(NavigatorModel::VersionRole).toInt();
        r.algorithm = index.data(NavigatorModel::AlgorithmRole).toString();
    }
    return r;
}

Request kekRequest(Action action, const QModelIndex &index)
{
    Request r;
    r.action = action;
    r.kek = index.data(NavigatorModel::KekNameRole).toString();
    return r;
}

bool is(const char *a, const char *b)
{
    return std::strcmp(a, b) == 0;
}

} // namespace

std::optional<Request> workflowRequestFor(const char *actionName, const QModelIndex &index)
{
    if (!index.isValid())
        return std::nullopt;
    const Kind kind = kindOf(index);
    const bool dek = kind == Kind::DekSubject || kind == Kind::DekVersion;
    const bool kek = kind == Kind::Kek;
    const bool kekDeleted = deleted(kekNodeOf(index));

    if (is(actionName, "actionRotateDek")) {
        // A new version under a soft-deleted KEK is refused by the registry: not offered.
        if (!dek || kekDeleted)
            return std::nullopt;
        Request r = dekRequest(Action::RotateDek, index);
        r.version = 0; // rotate the version's subject (and algorithm)
        return r;
    }
    if (is(actionName, "actionRewrapDeks")) {
        if (kek)
            return kekRequest(Action::RewrapKek, index);
        if (kind == Kind::DekSubject) // that subject only
            return dekRequest(Action::RewrapKek, index);
        return std::nullopt;
    }
    if (is(actionName, "actionSwitchKek")) {
        if (kind != Kind::DekSubject && kind != Kind::SchemaSubject)
            return std::nullopt;
        Request r;
        r.action = Action::SwitchKek;
        r.subject = index.data(NavigatorModel::SubjectRole).toString();
        r.kek = index.data(NavigatorModel::KekNameRole).toString();
        return r;
    }
    // Delete, delete permanently and undelete follow the deleted flag the navigator shows:
    // soft delete what is live, delete permanently or undelete what is soft-deleted.
    const bool soft = is(actionName, "actionDeleteKey");
    const bool permanent = is(actionName, "actionDeleteKeyPermanently");
    const bool undelete = is(actionName, "actionUndeleteKey");
    if (!soft && !permanent && !undelete)
        return std::nullopt;
    if (!dek && !kek)
        return std::nullopt;
    if (soft == deleted(index))
        return std::nullopt;
    Request r = dek ? dekRequest(undelete ? Action::UndeleteDek : Action::DeleteDek, index)
                    : kekRequest(undelete ? Action::UndeleteKek : Action::DeleteKek, index);
    r.permanent = permanent;
    return r;
}

void addWorkflowCommands(CommandController &commands, QWidget *parent,
                         std::function<QStringList()> kekNames,
                         std::function<void(const Request &)> open)
{
    struct Spec
    {
        const char *name;
        QString text;
        QString tip;
        const char *icon;
    };
    const Spec specs[] = {
        {"actionRotateDek", QObject::tr("R&otate DEK…"),
         QObject::tr("Create the next version of the selected DEK subject"), ":/icons/dek.svg"},
        {"actionRewrapDeks", QObject::tr("Re&wrap DEKs…"),
         QObject::tr("Rewrap the selected KEK's DEKs (or one subject's) under its KMS key's "
                     "current material"),
         ":/icons/kek.svg"},
        {"actionSwitchKek", QObject::tr("S&witch Subject to Another KEK…"),
         QObject::tr("Register a schema version whose rules name another KEK"), ":/icons/kek.svg"},
        {"actionDeleteKey", QObject::tr("&Delete…"),
         QObject::tr("Soft-delete the selected DEK version, DEK subject or KEK"), nullptr},
        {"actionDeleteKeyPermanently", QObject::tr("Delete &Permanently…"),
         QObject::tr("Permanently delete the selected soft-deleted DEK version, subject or KEK"),
         nullptr},
        {"actionUndeleteKey", QObject::tr("&Undelete…"),
         QObject::tr("Undelete the selected soft-deleted DEK version, subject or KEK"), nullptr},
    };
    for (const Spec &spec : specs) {
        QAction *action = makeAction(spec.icon ? QIcon(QLatin1String(spec.icon)) : QIcon(),
                                     spec.text, spec.name, &commands);
        action->setStatusTip(spec.tip);
        const char *name = spec.name;
        commands.add(
            action,
            [name](const CommandContext &c) {
                return c.connection && workflowRequestFor(name, c.current).has_value();
            },
            [name, parent, kekNames, open](const CommandContext &c) {
                const auto request = workflowRequestFor(name, c.current);
                if (!request)
                    return;
                if (request->action != Action::SwitchKek) {
                    open(*request);
                    return;
                }
                auto *form = new SwitchKekForm(request->subject, request->kek,
                                               kekNames ? kekNames() : QStringList(), parent);
                form->setAttribute(Qt::WA_DeleteOnClose);
                QObject::connect(form, &QDialog::accepted, form,
                                 [form, open] { open(form->request()); });
                form->open();
            });
    }
}

SwitchKekForm::SwitchKekForm(const QString &subject, const QString &currentKek,
                             const QStringList &kekNames, QWidget *parent)
    : QDialog(parent)
    , m_subject(subject)
    , m_known(kekNames)
{
    setObjectName(QStringLiteral("switchKekForm"));
    setWindowTitle(tr("Switch subject %1 to another KEK").arg(subject));

    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("switchTargetKek"));
    m_target->setEditable(true);
    QStringList others = kekNames;
    others.removeAll(currentKek);
    m_target->addItems(others);
    m_target->setCurrentText(QString());
    m_kmsType = new QComboBox(this);
    m_kmsType->setObjectName(QStringLiteral("switchKmsType"));
    m_kmsType->setEditable(true);
    m_kmsType->addItems({QStringLiteral("aws-kms"), QStringLiteral("azure-kms"),
                         QStringLiteral("gcp-kms"), QStringLiteral("hcvault"),
                         QStringLiteral("local-kms")});
    m_kmsKeyId = new QLineEdit(this);
    m_kmsKeyId->setObjectName(QStringLiteral("switchKmsKeyId"));
    m_shared = new QCheckBox(tr("Shared (the registry generates and wraps the DEKs)"), this);
    m_shared->setObjectName(QStringLiteral("switchShared"));

    auto *form = new QFormLayout;
    form->addRow(tr("Target KEK:"), m_target);
    form->addRow(tr("KMS type (new KEK only):"), m_kmsType);
    form->addRow(tr("KMS key id (new KEK only):"), m_kmsKeyId);
    form->addRow(QString(), m_shared);
    auto *note =
        new QLabel(tr("A new schema version of %1 names the target KEK; records "
                      "written before still need the current KEK %2 and its KMS key.")
                       .arg(subject, currentKek.isEmpty() ? tr("(from the rules)") : currentKek));
    note->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Plan…"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("switchPlan"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_target, &QComboBox::currentTextChanged, this, &SwitchKekForm::updateNewKekFields);
    connect(m_kmsKeyId, &QLineEdit::textChanged, this, &SwitchKekForm::updateNewKekFields);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
    updateNewKekFields();
}

void SwitchKekForm::updateNewKekFields()
{
    const QString target = m_target->currentText().trimmed();
    const bool isNew = !target.isEmpty() && !m_known.contains(target);
    m_kmsType->setEnabled(isNew);
    m_kmsKeyId->setEnabled(isNew);
    m_shared->setEnabled(isNew);
    auto *buttons = findChild<QDialogButtonBox *>();
    if (buttons)
        buttons->button(QDialogButtonBox::Ok)
            ->setEnabled(!target.isEmpty() &&
                         (!isNew || (!m_kmsType->currentText().trimmed().isEmpty() &&
                                     !m_kmsKeyId->text().trimmed().isEmpty())));
}

Request SwitchKekForm::request() const
{
    Request r;
    r.action = Action::SwitchKek;
    r.subject = m_subject;
    r.targetKek = m_target->currentText().trimmed();
    if (!m_known.contains(r.targetKek)) {
        r.kmsType = m_kmsType->currentText().trimmed();
        r.kmsKeyId = m_kmsKeyId->text().trimmed();
        r.targetShared = m_shared->isChecked();
    }
    return r;
}

} // namespace kw
