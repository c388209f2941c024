package io.batpak.it.serve;

import io.batpak.cli.Main;
import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test main that runs the shipped {@code batpak serve} ({@link Main}) and can SIGKILL its own
 * process at a chosen point of the journal write of a chosen event, or fail that write. It reads
 * stdin itself: a line {@code arm mid|after|fail <marker>} arms it (it answers {@code armed});
 * every other line goes on to serve's console. The child class path must hold {@link
 * #servicesDirectory} and serve must run with {@code --fs selfkill}: the store then writes through
 * {@link Fs}, the real {@code posix} backend with one check on every write to a segment file: once
 * armed, the first write whose bytes hold the marker sends {@code kill -9} to this process, in the
 * middle of the write ({@code mid}: the first half of the bytes written, the rest never) or right
 * after the whole write ({@code after}); {@code fail} throws an I/O error instead, and the process
 * lives on. Nothing of this is in the shipped code: serve only names a backend.
 */
public final class SelfKillingServe {

  /** The backend name serve is given with {@code --fs}. */
  static final String BACKEND = "selfkill";

  private static volatile byte[] marker;
  private static volatile String mode = "";

  private SelfKillingServe() {}

  /**
   * Runs {@code batpak <args>} with stdin filtered for {@code arm} lines.
   *
   * @param args serve's command line; it must name {@code --fs selfkill}
   */
  public static void main(String[] args) throws IOException {
    PipedOutputStream toConsole = new PipedOutputStream();
    PipedInputStream consoleIn = new PipedInputStream(toConsole, 1 << 16);
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Thread filter =
        new Thread(
            () -> {
              try (toConsole) {
                for (String line; (line = stdin.readLine()) != null; ) {
                  String[] w = line.split(" ");
                  if (w[0].equals("arm") && w.length == 3) {
                    mode = w[1];
                    marker = w[2].getBytes(StandardCharsets.UTF_8);
                    out.println("armed");
                  } else {
                    toConsole.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    toConsole.flush();
                  }
                }
              } catch (IOException e) {
                e.printStackTrace();
              }
            },
            "selfkill-stdin");
    filter.setDaemon(true);
    filter.start();
    System.setIn(consoleIn);
    Main.main(args);
  }

  /**
   * A directory holding {@code META-INF/services/io.batpak.spi.StoreFsProvider} that names {@link
   * Provider}, created under {@code root}: put it on the child's class path (only there, so no
   * other test sees the provider).
   */
  static Path servicesDirectory(Path root) throws IOException {
    Path dir = root.resolve("selfkill-services");
    Path file = dir.resolve("META-INF/services/" + StoreFsProvider.class.getName());
    Files.createDirectories(file.getParent());
    Files.writeString(file, Provider.class.getName() + "\n");
    return dir;
  }

  /** Whether {@code haystack} holds the bytes of {@code needle}. */
  static boolean contains(byte[] haystack, byte[] needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1)
        .contains(new String(needle, StandardCharsets.ISO_8859_1));
  }

  /** Sends SIGKILL to this process and waits for it to land. */
  private static void killSelf() throws IOException {
    String pid = Long.toString(ProcessHandle.current().pid());
    System.err.println("selfkill: kill -9 " + pid);
    new ProcessBuilder("kill", "-9", pid).inheritIO().start();
    while (true) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        // the signal ends this process; nothing may go on writing meanwhile
      }
    }
  }

  /** Backend {@code selfkill}: {@code posix} with the armed check. Selected only by name. */
  public static final class Provider implements StoreFsProvider {
    /** For {@link java.util.ServiceLoader}. */
    public Provider() {}

    @Override
    public String name() {
      return BACKEND;
    }

    @Override
    public int priority() {
      return 1;
    }

    @Override
    public boolean autoSelectable() {
      return false;
    }

    @Override
    public ProbeResult probe() {
      return ProbeResult.available("posix, killing its process at an armed journal write");
    }

    @Override
    public StoreFs open(FsOptions options) throws IOException {
      return new Fs(StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(options));
    }
  }

  /** The decorated backend. */
  static final class Fs extends ForwardingStoreFs {
    Fs(StoreFs delegate) {
      super(delegate);
    }

    /** Its provider's name, as a backend's must be (ForwardingStoreFs forwards posix's). */
    @Override
    public String name() {
      return BACKEND;
    }

    @Override
    protected FileHandle onHandle(FileHandle handle) {
      if (!handle.path().getFileName().toString().endsWith(".seg")) {
        return handle;
      }
      return new ForwardingFileHandle(handle) {
        @Override
        public void write(ByteBuffer src, long position) throws IOException {
          byte[] m = marker;
          if (m == null) {
            super.write(src, position);
            return;
          }
          byte[] bytes = new byte[src.remaining()];
          src.duplicate().get(bytes);
          if (!contains(bytes, m)) {
            super.write(src, position);
            return;
          }
          switch (mode) {
            case "mid" -> super.write(ByteBuffer.wrap(bytes, 0, bytes.length / 2), position);
            case "after" -> super.write(src, position);
            default -> throw new IOException("selfkill: the armed write fails (EIO)");
          }
          killSelf();
        }
      };
    }
  }
}
