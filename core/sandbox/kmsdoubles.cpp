#include "core/sandbox/awskmsdouble.h"
#include "core/sandbox/azurekmsdouble.h"
#include "core/sandbox/gcpkmsdouble.h"
#include "core/sandbox/kmsdouble.h"
#include "core/sandbox/vaultdouble.h"

namespace kw::sandbox {

KmsDouble::~KmsDouble() = default;

QList<std::shared_ptr<KmsDouble>> makeKmsDoubles(const Clock &clock)
{
    QList<std::shared_ptr<KmsDouble>> doubles;
    // One line per double, e.g. doubles.append(std::make_shared<AwsKmsDouble>(clock));
    doubles.append(std::make_shared<VaultDouble>(clock));
    doubles.append(std::make_shared<AwsKmsDouble>(clock));
    doubles.append(std::make_shared<GcpKmsDouble>(clock));
    doubles.append(std::make_shared<AzureKmsDouble>(clock));
    return doubles;
}

} // namespace kw::sandbox
