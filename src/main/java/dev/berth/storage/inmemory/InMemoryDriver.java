package dev.berth.storage.inmemory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;

import dev.berth.storage.FileInfo;
import dev.berth.storage.FileWriter;
import dev.berth.storage.PathNotFoundException;
import dev.berth.storage.StorageDriver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/** Files in a sorted map, for tests and throwaway registries; nothing survives the process. */
public final class InMemoryDriver implements StorageDriver {
    /** Reads are cut into pieces of this size, like a file or network stream. */
    private static final int READ_CHUNK = 64 * 1024;

    private final ConcurrentSkipListMap<String, MemFile> files = new ConcurrentSkipListMap<>();

    private static final class MemFile {
        final Buffer data;
        final Instant modified;

        MemFile(Buffer data) {
            this.data = data;
            this.modified = Instant.now();
        }
    }

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public Uni<byte[]> getContent(String path) {
        return Uni.createFrom().item(() -> {
            MemFile file = file(path);
            synchronized (file.data) {
                return file.data.getBytes();
            }
        });
    }

    @Override
    public Uni<Void> putContent(String path, byte[] content) {
        return Uni.createFrom().item(() -> {
            files.put(path, new MemFile(Buffer.buffer(content.clone())));
            return null;
        });
    }

    @Override
    public Uni<Boolean> putContentIfAbsent(String path, byte[] content) {
        return Uni.createFrom().item(() -> files.putIfAbsent(path, new MemFile(Buffer.buffer(content.clone()))) == null);
    }

    @Override
    public Multi<Buffer> read(String path, long offset, long length) {
        return Multi.createFrom().deferred(() -> {
            MemFile file = file(path);
            Buffer copy;
            synchronized (file.data) {
                long size = file.data.length();
                long start = Math.min(Math.max(offset, 0), size);
                // length capped first: start + length overflows for a length such as Long.MAX_VALUE
                long end = length < 0 ? size : start + Math.min(length, size - start);
                copy = file.data.getBuffer((int) start, (int) end);
            }
            List<Buffer> pieces = new ArrayList<>();
            for (int at = 0; at < copy.length(); at += READ_CHUNK) {
                pieces.add(copy.getBuffer(at, Math.min(copy.length(), at + READ_CHUNK)));
            }
            return Multi.createFrom().iterable(pieces);
        });
    }

    @Override
    public Uni<FileWriter> writer(String path, boolean append) {
        return Uni.createFrom().item(() -> {
            MemFile file = append ? files.get(path) : null;
            if (append && file == null) {
                throw new PathNotFoundException(path);
            }
            if (file == null) {
                file = new MemFile(Buffer.buffer());
                files.put(path, file);
            }
            return new InMemoryWriter(path, file.data);
        });
    }

    private final class InMemoryWriter implements FileWriter {
        private final String path;
        private final Buffer data;

        InMemoryWriter(String path, Buffer data) {
            this.path = path;
            this.data = data;
        }

        @Override
        public long size() {
            synchronized (data) {
                return data.length();
            }
        }

        @Override
        public Uni<Long> write(Multi<Buffer> stream) {
            return stream.onItem().transform(buffer -> {
                synchronized (data) {
                    data.appendBuffer(buffer);
                }
                return (long) buffer.length();
            }).collect().with(Collectors.summingLong(Long::longValue));
        }

        @Override
        public Uni<Void> close() {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> commit() {
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> cancel() {
            return Uni.createFrom().item(() -> {
                files.remove(path);
                return null;
            });
        }
    }

    @Override
    public Uni<FileInfo> stat(String path) {
        return Uni.createFrom().item(() -> {
            MemFile file = files.get(path);
            if (file != null) {
                synchronized (file.data) {
                    return new FileInfo(path, file.data.length(), file.modified, false);
                }
            }
            if (hasChildren(path)) {
                return new FileInfo(path, 0, Instant.EPOCH, true);
            }
            throw new PathNotFoundException(path);
        });
    }

    @Override
    public Uni<List<String>> list(String path) {
        return Uni.createFrom().item(() -> {
            String prefix = directoryPrefix(path);
            TreeSet<String> children = new TreeSet<>();
            for (String key : below(prefix).keySet()) {
                String rest = key.substring(prefix.length());
                int slash = rest.indexOf('/');
                children.add(prefix + (slash < 0 ? rest : rest.substring(0, slash)));
            }
            if (children.isEmpty() && !"/".equals(path)) {
                throw new PathNotFoundException(path);
            }
            return List.copyOf(children);
        });
    }

    @Override
    public Uni<Void> move(String source, String destination) {
        return Uni.createFrom().item(() -> {
            MemFile file = files.remove(source);
            if (file == null) {
                throw new PathNotFoundException(source);
            }
            files.put(destination, file);
            return null;
        });
    }

    @Override
    public Uni<Void> delete(String path) {
        return Uni.createFrom().item(() -> {
            boolean found = files.remove(path) != null;
            NavigableMap<String, MemFile> tree = below(directoryPrefix(path));
            found |= !tree.isEmpty();
            tree.clear();
            if (!found) {
                throw new PathNotFoundException(path);
            }
            return null;
        });
    }

    @Override
    public Multi<FileInfo> walk(String path) {
        return Multi.createFrom().deferred(() -> {
            List<FileInfo> out = new ArrayList<>();
            for (Map.Entry<String, MemFile> e : below(directoryPrefix(path)).entrySet()) {
                synchronized (e.getValue().data) {
                    out.add(new FileInfo(e.getKey(), e.getValue().data.length(), e.getValue().modified, false));
                }
            }
            if (out.isEmpty() && !"/".equals(path)) {
                return Multi.createFrom().failure(new PathNotFoundException(path));
            }
            return Multi.createFrom().iterable(out);
        });
    }

    private MemFile file(String path) {
        MemFile file = files.get(path);
        if (file == null) {
            throw new PathNotFoundException(path);
        }
        return file;
    }

    private boolean hasChildren(String path) {
        return !below(directoryPrefix(path)).isEmpty();
    }

    private NavigableMap<String, MemFile> below(String prefix) {
        // '/' + 1 is '0': every key starting with prefix sorts before prefix-with-last-char-bumped
        String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
        return files.subMap(prefix, true, end, false);
    }

    private static String directoryPrefix(String path) {
        return path.endsWith("/") ? path : path + "/";
    }
}
