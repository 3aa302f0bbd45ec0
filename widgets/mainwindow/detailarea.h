#pragma once
// The right-hand side of Keys & Schemas: shows the detail pane for what the navigator has
// selected (a KEK, a DEK subject or version, a schema subject or version), or an empty state
// that says where things stand (not connected, connected, the demo starting or failed, a part
// of the tree that could not load). Follows links between panes through the navigator.

#include "core/census/schedule.h"

#include <QStackedWidget>

#include <memory>

namespace kw {

namespace services {
class Connection;
}

class DekDetailPane;
class EmptyStateWidget;
class KekDetailPane;
class NavigatorPane;
class SchemaDetailPane;

class DetailArea final : public QStackedWidget
{
    Q_OBJECT

public:
    enum class DemoState
    {
        None,
        Starting,
        Ready,
        Failed
    };

    // Follows `navigator`'s selection; `navigator` must outlive this widget.
    explicit DetailArea(NavigatorPane *navigator, QWidget *parent = nullptr);

    // The open connection (nullptr: none); it must outlive the call to setConnection(nullptr).
    void setConnection(const services::Connection *connection);
    // The census figures the KEK and DEK panes show (null: none yet).
    // Selects that DEK version in the navigator (loading its KEK and subject as needed); the
    // pane follows the selection.
    void revealDek(const QString &kek, const QString &subject, int version,
                   const QString &algorithm);
    void setCensus(std::shared_ptr<const census::Tally> tally, const census::Policy &policy);
    // The demo sandbox's state and the text that explains it.
    void setDemoState(DemoState state, const QString &detail = {});
    [[nodiscard]] DemoState demoState() const { return m_demoState; }

    // Shows what fits the navigator's current selection.
    void updateForSelection();

    [[nodiscard]] EmptyStateWidget *emptyState() const { return m_emptyState; }
    [[nodiscard]] KekDetailPane *kekPane() const { return m_kekPane; }
    [[nodiscard]] DekDetailPane *dekPane() const { return m_dekPane; }
    [[nodiscard]] SchemaDetailPane *schemaPane() const { return m_schemaPane; }

private:
    void showEmptyState(const QString &title, const QString &text);
    void showDisconnected();

    NavigatorPane *m_navigator;
    const services::Connection *m_connection = nullptr;
    DemoState m_demoState = DemoState::None;
    QString m_demoDetail;
    EmptyStateWidget *m_emptyState = nullptr;
    KekDetailPane *m_kekPane = nullptr;
    DekDetailPane *m_dekPane = nullptr;
    SchemaDetailPane *m_schemaPane = nullptr;
};

} // namespace kw
