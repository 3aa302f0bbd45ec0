#pragma once
// The logging category of the registry clients. Messages name requests by method and path only:
// never credentials, headers, tokens or key material.

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRegistry)
