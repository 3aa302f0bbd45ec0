#pragma once
// A blocking HTTP helper for the sandbox tests: sends one request with QNetworkAccessManager
// and waits for the reply (tests may wait; production code never does).

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

struct TestReply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;

    [[nodiscard]] QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    [[nodiscard]] QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    [[nodiscard]] int errorCode() const
    {
        return object().value(QStringLiteral("error_code")).toInt();
    }
    [[nodiscard]] QStringList strings() const
    {
        QStringList out;
        for (const QJsonValue &v : array())
            out.append(v.toString());
        return out;
    }
    [[nodiscard]] QList<int> ints() const
    {
        QList<int> out;
        for (const QJsonValue &v : array())
            out.append(v.toInt());
        return out;
    }
};

class HttpTestClient
{
public:
    explicit HttpTestClient(QString baseUrl = {})
        : m_base(std::move(baseUrl))
    {}
    void setBaseUrl(const QString &base) { m_base = base; }
    void setAuthorization(const QByteArray &value) { m_authorization = value; }

    // `path` is appended as is, so percent-encode subject names yourself.
    TestReply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                   const QByteArray &contentType = "application/vnd.schemaregistry.v1+json")
    {
        QNetworkRequest request(QUrl(m_base + path));
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        if (!m_authorization.isEmpty())
            request.setRawHeader("Authorization", m_authorization);
        QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished() && !finished.wait(15000))
            qWarning("HTTP request timed out: %s %s", method.constData(), qPrintable(path));
        TestReply out;
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        reply->deleteLater();
        return out;
    }
    TestReply get(const QString &path) { return send("GET", path); }
    TestReply del(const QString &path) { return send("DELETE", path); }
    TestReply post(const QString &path, const QJsonObject &body = {})
    {
        return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    TestReply put(const QString &path, const QJsonObject &body)
    {
        return send("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

private:
    QString m_base;
    QByteArray m_authorization;
    QNetworkAccessManager m_nam;
};
