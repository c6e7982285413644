"""Deterministic OCI layouts for bench/run.sh: images/small (3 small layers), images/big (one 1 GiB layer),
images/medium (256 MiB), images/mirror (200 MiB),
images/layers-0..8 (ten 256 KiB layers each), images/warmpull-0..7 (200 MiB each) and images/warmsmall-0..47 (16 MiB each), made only when asked. Arguments after the output directory: which to make."""
import gzip
import hashlib
import json
import os
import random
import sys

MIB = 1024 * 1024


def write_layout(root, layers, arch="amd64"):
    os.makedirs(f"{root}/blobs/sha256", exist_ok=True)

    def blob_file(path):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(MIB), b""):
                h.update(chunk)
        digest = h.hexdigest()
        os.replace(path, f"{root}/blobs/sha256/{digest}")
        return {"digest": "sha256:" + digest, "size": os.path.getsize(f"{root}/blobs/sha256/{digest}")}

    def blob_bytes(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(f"{root}/blobs/sha256/{digest}", "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    descriptors, diff_ids = [], []
    for i, (size, seed) in enumerate(layers):
        rng = random.Random(seed)
        raw = hashlib.sha256()
        tmp = f"{root}/layer-{i}.tmp"
        with gzip.GzipFile(tmp, "wb", compresslevel=1, mtime=0) as gz:
            left = size
            while left:
                chunk = rng.randbytes(min(left, 4 * MIB))
                raw.update(chunk)
                gz.write(chunk)
                left -= len(chunk)
        diff_ids.append("sha256:" + raw.hexdigest())
        d = blob_file(tmp)
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        descriptors.append(d)
    config = json.dumps({"architecture": arch, "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}, sort_keys=True).encode()
    c = blob_bytes(config)
    c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": c, "layers": descriptors}).encode()
    m = blob_bytes(manifest)
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    m["annotations"] = {"org.opencontainers.image.ref.name": "v1"}
    with open(f"{root}/index.json", "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [m]}, f)
    with open(f"{root}/oci-layout", "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(f"{root}/manifest.json", "wb") as f:
        f.write(manifest)
    return descriptors


out = sys.argv[1]
# the images to make (all by default): bench/run.sh makes only those missing
wanted = set(sys.argv[2:]) or {"small", "big", "medium", "mirror", "layers"}
if "small" in wanted:
    write_layout(f"{out}/small", [(64 * 1024, 1), (256 * 1024, 2), (1 * MIB, 3)])
if "big" in wanted:
    big = write_layout(f"{out}/big", [(1024 * MIB, 4)])
    # the size the MiB/s figures are computed from
    with open(f"{out}/big/layer.size", "w") as f:
        f.write(str(big[0]["size"]))
if "medium" in wanted:
    # a quarter of the big one: peak memory during pushes must not grow with the layer
    write_layout(f"{out}/medium", [(256 * MIB, 5)])
if "mirror" in wanted:
    # what the pull-through cache scenario pulls through the mirrors
    mirror = write_layout(f"{out}/mirror", [(200 * MIB, 6)])
    with open(f"{out}/mirror/layer.size", "w") as f:
        f.write(str(mirror[0]["size"]))
if "warmpulls" in wanted:
    # cold pulls through a mirror before the measured one (bench/run.sh MIRROR_WARMUP_PULLS), each of a layer of its own
    for v in range(8):
        write_layout(f"{out}/warmpull-{v}", [(200 * MIB, 2000 + v)])
if "warmsmall" in wanted:
    # for hand probes of a mirror's JIT warm-up (docs/benchmarks.md, "What a warmed mirror still compiles"): many cold
    # pulls with the requests of the measured one, each of a 16 MiB layer of its own, a twelfth of its bytes
    for v in range(48):
        write_layout(f"{out}/warmsmall-{v}", [(16 * MIB, 3000 + v)])
if "layers" in wanted:
    # images of ten 256 KiB layers, each with its own: every measured push uploads and places new blobs
    for v in range(9):
        write_layout(f"{out}/layers-{v}", [(256 * 1024, 1000 + v * 20 + i) for i in range(10)])
