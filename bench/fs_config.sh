# Sourced by the bench scripts: a config.yml for filesystem storage under DIR/data, listening on 127.0.0.1:PORT.
write_fs_config() { # dir port log-level
  mkdir -p "$1/data"
  cat > "$1/config.yml" <<YML
version: 0.1
log:
  level: $3
storage:
  filesystem:
    rootdirectory: $1/data
http:
  addr: 127.0.0.1:$2
YML
}
