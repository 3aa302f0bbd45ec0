#pragma once
// Help → About: version, application id and the libraries this build runs on.

#include <QDialog>

namespace kw {

class AboutDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(QWidget *parent = nullptr);
};

} // namespace kw
