// qt_add_resources attaches the compiled resources to this library; this file exists so the
// library has a translation unit of its own.
namespace kw {
int keywardenResourcesAnchor = 0;
} // namespace kw
