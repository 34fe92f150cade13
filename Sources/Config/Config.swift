/// Config: Tern's YAML configuration.
/// PLACEHOLDER — replaced by the configuration work.
public enum ConfigModule {}
