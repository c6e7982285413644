# Sourced by the bench scripts: one monolithic blob push (POST, then PUT with the digest), as registries take it.
push_blob_file() { # host:port repository file -> the blob's digest
  local digest loc sep
  digest="sha256:$(sha256sum "$3" | cut -c1-64)"
  loc=$(curl -s -D - -o /dev/null -X POST "http://$1/v2/$2/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case $loc in http*) ;; *) loc="http://$1$loc" ;; esac
  case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$3" "$loc${sep}digest=$digest"
  echo "$digest"
}
