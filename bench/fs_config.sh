# Sourced by the bench scripts: a free loopback port, and a config.yml for filesystem storage under DIR/data,
# listening on 127.0.0.1:PORT.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

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
