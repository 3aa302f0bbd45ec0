#pragma once
// The demo estate as data: the KEKs, subjects (with their schema versions and rules), topics
// (with record generators and time windows) and retirements of a bank's CSFLE set-up.

#include "core/domain/registrytypes.h"

#include <QJsonObject>
#include <QList>

#include <functional>

class QRandomGenerator;

namespace kw::sandbox {

struct DemoSubject
{
    QString subject;
    QList<registry::Schema> versions; // registered in order; the last is the one producers use
};

struct DemoValue
{
    QString key;
    QJsonObject value;
};

struct DemoTopic
{
    QString name;
    QString subject;
    int partitions = 3;
    int records = 0;
    int firstDaysAgo = 540; // the first record's age
    int lastDaysAgo = 0;    // the last record's age (traffic that stopped is > 0)
    int damagedEvery = 0;   // every n-th record is damaged on purpose (0: none)
    QString source;         // the producing application, as a header
    std::function<DemoValue(int index, QRandomGenerator &rng)> make;
};

struct DemoDeletion
{
    enum class Kind
    {
        DekVersion,
        DekSubject,
        Kek
    };
    Kind kind;
    QString kek;
    QString subject;
    int version = 0;
    QString algorithm;
};

struct DemoEstate
{
    QList<registry::Kek> keks;
    QList<DemoSubject> subjects;
    QList<DemoTopic> topics;
    QList<DemoDeletion> deletions; // applied after the traffic, in order
};

DemoEstate demoEstate();

} // namespace kw::sandbox
