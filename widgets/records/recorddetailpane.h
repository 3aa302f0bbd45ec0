#pragma once
// The detail of one previewed record: Decrypted (masked until revealed, with its per-field
// outcomes), As stored (ciphertext visible), Raw (hex of key and value) and Headers tabs.
// Revealing is the view's decision (it writes the audit entry first); the pane only asks.

#include "core/services/recordpreview.h"

#include <QPlainTextEdit>
#include <QWidget>

#include <optional>

class QAction;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace kw::records {

class SecretClipboard;

// A read-only text view whose copies go to the clipboard as secrets while it shows plaintext.
class SecretTextEdit final : public QPlainTextEdit
{
    Q_OBJECT

public:
    SecretTextEdit(SecretClipboard *clipboard, QWidget *parent = nullptr);
    void setSecret(bool secret) { m_secret = secret; }

protected:
    QMimeData *createMimeDataFromSelection() const override;

private:
    SecretClipboard *m_clipboard;
    bool m_secret = false;
};

class RecordDetailPane final : public QWidget
{
    Q_OBJECT

public:
    enum Tab
    {
        DecryptedTab,
        StoredTab,
        RawTab,
        HeadersTab
    };

    RecordDetailPane(SecretClipboard *clipboard, QWidget *parent = nullptr);

    void setRecord(const kafka::PreviewRecord &record);
    void clear();
    [[nodiscard]] bool hasRecord() const { return m_record.has_value(); }
    // Shows the plaintext of the decrypted fields; the caller has audited it.
    void setRevealed(bool revealed);
    [[nodiscard]] bool isRevealed() const { return m_revealed; }
    [[nodiscard]] QString decryptedText() const;
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }

Q_SIGNALS:
    void revealRequested();

private:
    void render();
    void renderFields();
    void copySelectedValue();
    void updateCopyAction();
    [[nodiscard]] QString valueOfField(const QString &path) const;

    SecretClipboard *m_clipboard;
    std::optional<kafka::PreviewRecord> m_record;
    bool m_revealed = false;

    QLabel *m_failureLabel = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPushButton *m_revealButton = nullptr;
    QLabel *m_revealHint = nullptr;
    SecretTextEdit *m_decrypted = nullptr;
    QTableWidget *m_fields = nullptr;
    QAction *m_copyValue = nullptr;
    QPlainTextEdit *m_stored = nullptr;
    QPlainTextEdit *m_raw = nullptr;
    QTableWidget *m_headers = nullptr;
};

} // namespace kw::records
