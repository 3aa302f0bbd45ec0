#pragma once
// Fixture: a model pulling in QtWidgets.
#include <QWidget>
