package io.batpak.it.artifacts;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mockito.AdditionalAnswers;
import org.mockito.MockMakers;
import org.mockito.MockSettings;
import org.mockito.invocation.InvocationOnMock;
import org.mockito.stubbing.Answer;

/**
 * A Mockito spy on a real {@link StoreFs}: every call is delegated to the real backend, and every
 * {@link FileHandle} it returns is handed out as a spy of its own, so a test can verify, with
 * {@code InOrder} across the backend and its handles, the order of the calls a store made.
 *
 * <p>Beside Mockito's record it keeps a model of the files as the calls through the port shaped
 * them: each file's size (create: 0; open for writing: its size then; write: at least the end of
 * the write; truncate: the new size; rename and publish: the source's size moves to the target;
 * link, reflink and copy: the target gets the source's size; delete: gone; lock: an empty lock file
 * if there was none). A file of the store on disk that the model does not hold, or of another size,
 * was written outside {@code StoreFs}.
 *
 * <p>The spies delegate ({@link AdditionalAnswers#delegatesTo}) rather than copy the real objects,
 * so the real backend keeps its state (open descriptors, locks). Thread-safe for one committer and
 * readers: the model is guarded by this object's lock.
 */
final class StoreFsSpy {
  final StoreFs fs;
  private final StoreFs real;
  private final List<HandleSpy> handles = new ArrayList<>();
  private final Map<Path, Long> sizes = new LinkedHashMap<>();

  /** A handle the spy handed out: the file, how it was opened, and the spy to verify on. */
  record HandleSpy(Path path, String openedBy, FileHandle spy) {}

  private StoreFsSpy(StoreFs real) {
    this.real = real;
    this.fs = mock(StoreFs.class, settings().defaultAnswer(new BackendAnswer()));
  }

  /** A spy on {@code real}. */
  static StoreFsSpy around(StoreFs real) {
    return new StoreFsSpy(real);
  }

  /** The spies of the handles opened on {@code path}, in the order they were opened. */
  synchronized List<FileHandle> handlesOf(Path path) {
    List<FileHandle> out = new ArrayList<>();
    for (HandleSpy h : handles) {
      if (h.path().equals(path.toAbsolutePath().normalize())) {
        out.add(h.spy());
      }
    }
    return out;
  }

  /**
   * The only handle {@code create} returned for {@code path}; fails if there is not exactly one.
   */
  synchronized FileHandle createdHandle(Path path) {
    List<FileHandle> out = new ArrayList<>();
    for (HandleSpy h : handles) {
      if (h.path().equals(path.toAbsolutePath().normalize()) && h.openedBy().equals("create")) {
        out.add(h.spy());
      }
    }
    if (out.size() != 1) {
      throw new AssertionError("expected one create of " + path + ", saw " + out.size());
    }
    return out.get(0);
  }

  /** The files of {@code dir} and their sizes, as the calls through the port left them. */
  synchronized Map<String, Long> modelledFiles(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    Map<String, Long> out = new java.util.TreeMap<>();
    for (Map.Entry<Path, Long> e : sizes.entrySet()) {
      if (d.equals(e.getKey().getParent())) {
        out.put(e.getKey().getFileName().toString(), e.getValue());
      }
    }
    return out;
  }

  /**
   * Subclass mocks: both types are interfaces, so Mockito needs no instrumentation agent (its
   * default inline mock maker attaches one, which costs seconds).
   */
  private static MockSettings settings() {
    return withSettings().mockMaker(MockMakers.SUBCLASS);
  }

  private static Path norm(Object p) {
    return ((Path) p).toAbsolutePath().normalize();
  }

  private final class BackendAnswer implements Answer<Object> {
    private final Answer<Object> delegate = AdditionalAnswers.delegatesTo(real);

    @Override
    public Object answer(InvocationOnMock call) throws Throwable {
      String name = call.getMethod().getName();
      Object result = delegate.answer(call);
      synchronized (StoreFsSpy.this) {
        switch (name) {
          case "create" -> sizes.put(norm(call.getArgument(0)), 0L);
          case "openWrite" -> sizes.put(norm(call.getArgument(0)), ((FileHandle) result).size());
          case "rename", "publish" -> {
            Long moved = sizes.remove(norm(call.getArgument(0)));
            sizes.put(norm(call.getArgument(1)), moved == null ? -1L : moved);
          }
          case "link", "reflink" -> {
            Long shared = sizes.get(norm(call.getArgument(0)));
            sizes.put(norm(call.getArgument(1)), shared == null ? -1L : shared);
          }
          case "copy" -> {
            Long copied = sizes.get(norm(call.getArgument(0)));
            sizes.put(norm(call.getArgument(1)), copied == null ? -1L : copied);
          }
          case "deleteIfExists" -> sizes.remove(norm(call.getArgument(0)));
          case "lock" -> sizes.putIfAbsent(norm(call.getArgument(0)), 0L);
          default -> {}
        }
        if (result instanceof FileHandle h) {
          Path path = norm(call.getArgument(0));
          FileHandle spy =
              mock(FileHandle.class, settings().defaultAnswer(new HandleAnswer(h, path)));
          handles.add(new HandleSpy(path, name, spy));
          return spy;
        }
      }
      return result;
    }
  }

  private final class HandleAnswer implements Answer<Object> {
    private final Answer<Object> delegate;
    private final Path path;

    HandleAnswer(FileHandle real, Path path) {
      this.delegate = AdditionalAnswers.delegatesTo(real);
      this.path = path;
    }

    @Override
    public Object answer(InvocationOnMock call) throws Throwable {
      String name = call.getMethod().getName();
      long end = -1;
      if (name.equals("write")) {
        end = call.<Long>getArgument(1) + ((ByteBuffer) call.getArgument(0)).remaining();
      }
      Object result = delegate.answer(call);
      synchronized (StoreFsSpy.this) {
        if (name.equals("write")) {
          sizes.merge(path, end, Math::max);
        } else if (name.equals("truncate")) {
          sizes.put(path, call.<Long>getArgument(0));
        }
      }
      return result;
    }
  }
}
