#pragma once
// --demo: the main window follows the embedded sandbox as it starts, then opens it.

namespace kw {

class MainWindow;

namespace sandbox {
class SandboxHost;
}

// The window shows that the sandbox is starting, then opens it as its connection (the
// sandbox's registry, Kafka cluster and local-kms secret) once `host` is ready, or says why it
// failed. Works whether `host` has started yet or is already ready.
void followSandbox(MainWindow &window, sandbox::SandboxHost &host);

} // namespace kw
