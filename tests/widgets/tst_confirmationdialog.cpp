// ConfirmationDialog: Cancel is the default, the verb is on the button, the affected list is
// shown, a typed name gates the button, a second warning asks again, and the test seam answers
// ask() without showing a window.

#include "widgets/dialogs/confirmationdialog.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace kw;

class TestConfirmationDialog : public QObject
{
    Q_OBJECT

    template<typename T>
    static T *find(QWidget *root, const char *name)
    {
        auto *w = root->findChild<T *>(QString::fromLatin1(name));
        if (!w)
            qFatal("no child '%s'", name);
        return w;
    }

    static ConfirmationRequest deleteKek()
    {
        ConfirmationRequest request;
        request.title = QStringLiteral("Delete KEK");
        request.question = QStringLiteral("Delete the KEK 'orders-kek'?");
        request.verb = QStringLiteral("Delete KEK");
        request.affected = {QStringLiteral("DEK orders-value v1"),
                            QStringLiteral("DEK orders-value v2")};
        return request;
    }

private Q_SLOTS:
    void cleanup() { ConfirmationDialog::resetTestSeam(); }

    void verbOnTheButtonCancelByDefault()
    {
        ConfirmationDialog dialog(deleteKek());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *confirm = find<QPushButton>(&dialog, "confirmButton");
        auto *cancel = find<QPushButton>(&dialog, "confirmCancel");
        QCOMPARE(confirm->text(), QStringLiteral("Delete KEK"));
        QVERIFY(cancel->isDefault());
        QVERIFY(!confirm->isDefault());
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Delete KEK"));
        auto *list = find<QListWidget>(&dialog, "confirmAffected");
        QCOMPARE(list->count(), 2);
        QCOMPARE(list->item(1)->text(), QStringLiteral("DEK orders-value v2"));

        // Enter takes the default: the dialog answers "no".
        QSignalSpy answered(&dialog, &ConfirmationDialog::answered);
        QTest::keyClick(&dialog, Qt::Key_Return);
        QCOMPARE(answered.count(), 1);
        QCOMPARE(answered.first().first().toBool(), false);
    }

    void namesStayPlainText()
    {
        ConfirmationRequest request = deleteKek();
        request.question = QStringLiteral("Delete the KEK '<b>x</b>'?");
        ConfirmationDialog dialog(request);
        QCOMPARE(find<QLabel>(&dialog, "confirmQuestion")->textFormat(), Qt::PlainText);
    }

    void verbConfirms()
    {
        ConfirmationDialog dialog(deleteKek());
        dialog.show();
        QSignalSpy answered(&dialog, &ConfirmationDialog::answered);
        QTest::mouseClick(find<QPushButton>(&dialog, "confirmButton"), Qt::LeftButton);
        QCOMPARE(answered.count(), 1);
        QCOMPARE(answered.first().first().toBool(), true);
    }

    void typedNameGatesTheButton()
    {
        ConfirmationRequest request = deleteKek();
        request.typedName = QStringLiteral("orders-kek");
        ConfirmationDialog dialog(request);
        dialog.show();
        auto *confirm = find<QPushButton>(&dialog, "confirmButton");
        auto *typed = find<QLineEdit>(&dialog, "confirmTypedName");
        QSignalSpy answered(&dialog, &ConfirmationDialog::answered);
        QVERIFY(!confirm->isEnabled());
        QTest::keyClicks(typed, QStringLiteral("ORDERS-KEK"));
        QVERIFY(!confirm->isEnabled());
        typed->clear();
        QTest::keyClicks(typed, QStringLiteral("orders-ke"));
        QVERIFY(!confirm->isEnabled());
        QTest::mouseClick(confirm, Qt::LeftButton);
        QCOMPARE(answered.count(), 0);
        QTest::keyClicks(typed, QStringLiteral("k"));
        QVERIFY(confirm->isEnabled());
        // Enter in the name field still does not confirm.
        QTest::keyClick(typed, Qt::Key_Return);
        QCOMPARE(answered.count(), 1);
        QCOMPARE(answered.first().first().toBool(), false);
    }

    void secondWarningAsksAgain_data()
    {
        QTest::addColumn<bool>("confirmTwice");
        QTest::newRow("confirmed on the warning") << true;
        QTest::newRow("cancelled on the warning") << false;
    }

    void secondWarningAsksAgain()
    {
        QFETCH(bool, confirmTwice);
        ConfirmationRequest request = deleteKek();
        request.secondWarning = QStringLiteral("The key material cannot be recovered.");
        ConfirmationDialog dialog(request);
        dialog.show();
        QSignalSpy answered(&dialog, &ConfirmationDialog::answered);
        auto *confirm = find<QPushButton>(&dialog, "confirmButton");
        QVERIFY(!dialog.showsSecondWarning());
        QTest::mouseClick(confirm, Qt::LeftButton);
        QCOMPARE(answered.count(), 0);
        QVERIFY(dialog.showsSecondWarning());
        QVERIFY(find<QLabel>(&dialog, "confirmSecondWarning")->isVisible());
        QCOMPARE(confirm->text(), QStringLiteral("Delete KEK anyway"));
        QVERIFY(find<QPushButton>(&dialog, "confirmCancel")->isDefault());
        QTest::mouseClick(confirmTwice ? confirm : find<QPushButton>(&dialog, "confirmCancel"),
                          Qt::LeftButton);
        QCOMPARE(answered.count(), 1);
        QCOMPARE(answered.first().first().toBool(), confirmTwice);
    }

    void askOpensAWindowModalDialogAndAnswersOnce()
    {
        QWidget parent;
        parent.show();
        int calls = 0;
        bool answer = false;
        ConfirmationDialog::ask(&parent, deleteKek(), &parent, [&](bool confirmed) {
            ++calls;
            answer = confirmed;
        });
        auto *dialog = parent.findChild<ConfirmationDialog *>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->windowModality(), Qt::WindowModal);
        QCOMPARE(calls, 0);
        QTest::mouseClick(find<QPushButton>(dialog, "confirmButton"), Qt::LeftButton);
        QCOMPARE(calls, 1);
        QVERIFY(answer);
        QTRY_VERIFY(!parent.findChild<ConfirmationDialog *>()); // deleted on close
    }

    void seamAnswersWithoutAWindow()
    {
        QWidget parent;
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Cancelled);
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QList<bool> answers;
        ConfirmationDialog::ask(&parent, deleteKek(), &parent,
                                [&](bool confirmed) { answers << confirmed; });
        ConfirmationRequest second = deleteKek();
        second.verb = QStringLiteral("Rotate");
        ConfirmationDialog::ask(&parent, second, &parent,
                                [&](bool confirmed) { answers << confirmed; });
        // The answers arrive from the event loop, as a real dialog's would, in order.
        QVERIFY(answers.isEmpty());
        QVERIFY(!parent.findChild<ConfirmationDialog *>());
        QTRY_COMPARE(answers, (QList<bool>{false, true}));
        QCOMPARE(ConfirmationDialog::lastRequest()->verb, QStringLiteral("Rotate"));
    }

    void noAnswerAfterTheContextIsGone()
    {
        QWidget parent;
        int calls = 0;
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        {
            QObject context;
            ConfirmationDialog::ask(&parent, deleteKek(), &context, [&](bool) { ++calls; });
        }
        QCoreApplication::processEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCOMPARE(calls, 0);
    }
};

QTEST_MAIN(TestConfirmationDialog)
#include "tst_confirmationdialog.moc"
