/// Dataplane: the Felix-like agent that converges the kernel to the desired routes.
/// PLACEHOLDER — replaced by the dataplane work.
public enum DataplaneModule {}
