package io.batpak.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.it.ChildJvm;
import io.batpak.it.crash.CrashShape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing proofs' last link, on the real kernel: a child JVM runs a store on the {@code posix}
 * backend under {@code strace -ff -y} (rotations, then a clean close), and the system calls show
 * the seal and the checkpoint made durable in the order the spy tests verify at the port:
 *
 * <ul>
 *   <li>rotation: {@code fdatasync} of the full segment, {@code pwrite64} of the seal at the footer
 *       offset its trailer names, {@code fsync} of that segment, then the next segment created
 *       ({@code openat O_CREAT}), its header written at 0, {@code fsync}ed, and the directory
 *       {@code fsync}ed; the sealed segment is never written again;
 *   <li>close: the seal of the active segment written and {@code fsync}ed, then {@code
 *       index.ckpt.tmp} created and written (its header at offset 0), {@code fsync}ed, renamed over
 *       {@code index.ckpt}, and the directory {@code fsync}ed.
 * </ul>
 *
 * {@code PublishSyscallOrderIT} proves the same of {@code publish} alone. The child is
 * deterministic (its committer runs on the appending thread), so every call is in one thread's
 * trace. Where strace is missing or ptrace is denied the test fails and says so.
 */
class SealAndCheckpointSyscallOrderIT {
  private static final String TRACED = "openat,pwrite64,fsync,fdatasync,rename,renameat,renameat2";
  private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)\\)\\s+=\\s+(-?\\d+)");
  private static final Pattern FD_PATH = Pattern.compile("^\\d+<([^>]*)>");
  private static final Pattern OFFSET = Pattern.compile(",\\s*(\\d+)$");

  @TempDir Path tmp;

  /** One traced call: its name, the file it was about, the offset of a write, its result. */
  record Call(String name, String path, long offset, String raw) {}

  @Test
  void sealsAndTheCheckpointReachTheKernelInOrder() throws Exception {
    Path store = Files.createDirectory(tmp.resolve("store")).toRealPath();
    Path traces = Files.createDirectory(tmp.resolve("trace"));
    List<String> command = new ArrayList<>();
    command.addAll(List.of("strace", "-ff", "-y", "-qq", "-s", "4", "-e", "trace=" + TRACED, "-o"));
    command.add(traces.resolve("t").toString());
    String classPath = System.getProperty("batpak.test.classpath");
    if (classPath == null || classPath.isBlank()) {
      throw new IllegalStateException("batpak.test.classpath is not set; run through Maven");
    }
    command.addAll(
        ChildJvm.java("-cp", classPath, SealAndCheckpointSyscallOrderIT.class.getName()));
    command.add(store.toString());
    ChildJvm.Finished child;
    try {
      child = ChildJvm.run(command, null, tmp.resolve("child.out"));
    } catch (IOException e) {
      fail("strace could not be started (" + e.getMessage() + "); this test needs strace(1)");
      return;
    }
    assertEquals(
        0,
        child.exitCode(),
        "strace or the traced child failed (ptrace denied? this test needs ptrace):\n"
            + child.output());

    String temp = store.resolve(ArtifactStores.CHECKPOINT_TEMP).toString();
    String target = store.resolve(ArtifactStores.CHECKPOINT).toString();
    List<Call> calls = threadThatPublished(traces, temp);
    List<String> segments;
    try (Stream<Path> s = Files.list(store)) {
      segments =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".seg"))
              .sorted()
              .collect(Collectors.toList());
    }
    assertTrue(segments.size() >= 3, "the child rotated: " + segments);
    String first = store.resolve(segments.get(0)).toString();
    String second = store.resolve(segments.get(1)).toString();
    String last = store.resolve(segments.get(segments.size() - 1)).toString();
    long firstFooter = CrashShape.footerOffset(Files.readAllBytes(Path.of(first)));
    long lastFooter = CrashShape.footerOffset(Files.readAllBytes(Path.of(last)));

    // Rotation.
    int seal =
        indexOf(
            calls,
            0,
            c ->
                c.name().equals("pwrite64") && c.path().equals(first) && c.offset() == firstFooter);
    assertEquals("fdatasync", previousOn(calls, seal, first).name(), "frames synced first");
    int sealSync = indexOf(calls, seal + 1, c -> c.path().equals(first));
    assertEquals("fsync", calls.get(sealSync).name(), "then the seal: " + calls.get(sealSync));
    int create =
        indexOf(calls, sealSync, c -> c.name().equals("openat") && c.path().equals(second));
    assertTrue(calls.get(create).raw().contains("O_CREAT"), calls.get(create).raw());
    int header =
        indexOf(calls, create, c -> c.name().equals("pwrite64") && c.path().equals(second));
    assertEquals(0, calls.get(header).offset(), "the next segment's header");
    int nextSync = indexOf(calls, header, c -> c.name().equals("fsync") && c.path().equals(second));
    indexOf(calls, nextSync, c -> c.name().equals("fsync") && c.path().equals(store.toString()));
    for (Call c : calls.subList(sealSync + 1, calls.size())) {
      assertTrue(
          !(c.name().equals("pwrite64") && c.path().equals(first)), "sealed, then written: " + c);
    }

    // Close: the last segment's seal, then the checkpoint.
    int lastSeal =
        indexOf(
            calls,
            0,
            c -> c.name().equals("pwrite64") && c.path().equals(last) && c.offset() == lastFooter);
    int lastSync = indexOf(calls, lastSeal + 1, c -> c.path().equals(last));
    assertEquals("fsync", calls.get(lastSync).name());
    int tempCreate =
        indexOf(calls, lastSync, c -> c.name().equals("openat") && c.path().equals(temp));
    assertTrue(calls.get(tempCreate).raw().contains("O_CREAT"), calls.get(tempCreate).raw());
    int tempSync =
        indexOf(calls, tempCreate, c -> c.name().equals("fsync") && c.path().equals(temp));
    // publish opens the temporary file again to fsync it: the last write before that sync.
    Call lastWrite = null;
    for (Call c : calls.subList(tempCreate, tempSync)) {
      lastWrite = c.name().equals("pwrite64") && c.path().equals(temp) ? c : lastWrite;
    }
    assertTrue(lastWrite != null, "the checkpoint was written");
    assertEquals(0, lastWrite.offset(), "the header is the checkpoint's last write");
    int rename = indexOf(calls, tempSync, c -> c.name().startsWith("rename"));
    assertTrue(
        calls.get(rename).raw().contains("\"" + temp + "\"")
            && calls.get(rename).raw().contains("\"" + target + "\""),
        calls.get(rename).raw());
    indexOf(calls, rename, c -> c.name().equals("fsync") && c.path().equals(store.toString()));
  }

  private static List<Call> threadThatPublished(Path traces, String temp) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(traces)) {
      files = s.sorted().collect(Collectors.toList());
    }
    for (Path f : files) {
      List<Call> calls = new ArrayList<>();
      boolean renamed = false;
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        Matcher m = CALL.matcher(line);
        if (!m.find() || !m.group(3).matches("\\d+")) {
          continue;
        }
        String name = m.group(1);
        String args = m.group(2);
        String path = "";
        long offset = -1;
        Matcher fd = FD_PATH.matcher(args);
        if (name.equals("openat")) {
          int q = args.indexOf('"');
          path = args.substring(q + 1, args.indexOf('"', q + 1));
        } else if (fd.find()) {
          path = fd.group(1);
        }
        if (name.equals("pwrite64")) {
          Matcher o = OFFSET.matcher(args);
          offset = o.find() ? Long.parseLong(o.group(1)) : -1;
        }
        renamed |= name.startsWith("rename") && args.contains("\"" + temp + "\"");
        calls.add(new Call(name, path, offset, line));
      }
      if (renamed) {
        return calls;
      }
    }
    fail("no thread renamed " + temp + " in the trace");
    throw new AssertionError("unreachable");
  }

  private static int indexOf(List<Call> calls, int from, java.util.function.Predicate<Call> p) {
    for (int i = from; i < calls.size(); i++) {
      if (p.test(calls.get(i))) {
        return i;
      }
    }
    fail("no such call after " + from + ":\n" + String.join("\n", raw(calls)));
    return -1;
  }

  private static Call previousOn(List<Call> calls, int before, String path) {
    for (int i = before - 1; i >= 0; i--) {
      if (calls.get(i).path().equals(path)) {
        return calls.get(i);
      }
    }
    throw new AssertionError("no call on " + path + " before " + before);
  }

  private static List<String> raw(List<Call> calls) {
    List<String> out = new ArrayList<>();
    for (Call c : calls) {
      out.add(c.raw());
    }
    return out;
  }

  /** The traced child: a deterministic store in {@code args[0]} on posix, rotated, then closed. */
  public static void main(String[] args) {
    try (Store s =
        Store.open(
            StoreConfig.builder(Path.of(args[0]))
                .fsBackend("posix")
                .deterministic(true)
                .segmentMaxBytes(ArtifactStores.SMALL_SEGMENT)
                .build())) {
      ArtifactStores.appendSome(s, 60, "traced");
    }
  }
}
