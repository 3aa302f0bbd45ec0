#include "widgets/mainwindow/kekkeyflags.h"

#include "core/domain/futurewatch.h"
#include "core/kms/kms.h"
#include "core/registry/dekregistryclient.h"
#include "core/services/connection.h"
#include "models/navigator/navigatormodel.h"

namespace kw {

namespace {

QString flagOf(const kms::KmsKeyState &state)
{
    switch (state.status) {
    case kms::KmsKeyState::Status::Disabled:
        return KekKeyFlags::tr("KMS key disabled");
    case kms::KmsKeyState::Status::PendingDeletion:
        return KekKeyFlags::tr("KMS key pending deletion");
    case kms::KmsKeyState::Status::Destroyed:
        return KekKeyFlags::tr("KMS key destroyed");
    default:
        return {};
    }
}

} // namespace

KekKeyFlags::KekKeyFlags(NavigatorModel *model, QObject *parent)
    : QObject(parent)
    , m_model(model)
{
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &KekKeyFlags::onRowsInserted);
}

KekKeyFlags::~KekKeyFlags() = default;

void KekKeyFlags::setConnection(std::shared_ptr<services::Connection> connection)
{
    m_connection = std::move(connection);
    ++m_generation;
    m_queue.clear();
    m_waiting.clear();
    m_inFlight = 0;
}

void KekKeyFlags::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (!m_connection)
        return;
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = m_model->index(row, 0, parent);
        if (index.data(NavigatorModel::KindRole).toInt() != int(NavigatorModel::Kind::Kek) ||
            index.data(NavigatorModel::DeletedRole).toBool())
            continue;
        const QString name = index.data(NavigatorModel::KekNameRole).toString();
        if (name.isEmpty() || m_waiting.contains(name))
            continue;
        m_waiting.insert(name);
        m_queue.append(name);
    }
    pump();
}

void KekKeyFlags::pump()
{
    while (m_inFlight < MaxInFlight && !m_queue.isEmpty()) {
        ++m_inFlight;
        ask(m_queue.takeFirst());
    }
    if (m_inFlight == 0 && m_queue.isEmpty())
        Q_EMIT idle();
}

void KekKeyFlags::ask(const QString &kek)
{
    const quint64 generation = m_generation;
    const std::shared_ptr<services::Connection> connection = m_connection;
    // A future that ends without an answer (its source shut down) frees the slot too.
    const auto unanswered = [this, generation, kek] {
        answered(generation, kek);
    };
    whenFinished(
        connection->dekRegistry()->getKek(kek), this,
        [this, generation, kek, connection, unanswered](const Result<registry::Kek> &read) {
            if (!read) { // gone meanwhile, or the registry failed: nothing to say
                answered(generation, kek);
                return;
            }
            if (generation != m_generation)
                return;
            whenFinished(
                connection->kmsKeyState(*read), this,
                [this, generation, kek](const Result<kms::KmsKeyState> &state) {
                    if (state && generation == m_generation)
                        m_model->setKekKeyFlag(kek, flagOf(*state), state->summary());
                    answered(generation, kek);
                },
                unanswered);
        },
        unanswered);
}

void KekKeyFlags::answered(quint64 generation, const QString &kek)
{
    if (generation != m_generation)
        return;
    --m_inFlight;
    m_waiting.remove(kek);
    pump();
}

} // namespace kw
