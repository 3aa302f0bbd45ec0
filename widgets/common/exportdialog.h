#pragma once
// The save dialog every export opens: JSON lines or CSV, the suffix following the chosen
// filter. Window-modal and answered through fileSelected(): no nested event loop on the GUI
// thread. Deletes itself when closed.

#include <QString>

class QFileDialog;
class QWidget;

namespace kw {

// Not yet open: connect fileSelected(), then call open().
QFileDialog *newExportDialog(QWidget *parent, const QString &title, const QString &objectName);

} // namespace kw
