package io.batpak.fs.posix;

import io.batpak.fs.testkit.StoreFsContract;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite against the {@code posix} backend, as the provider opens it. */
class PosixStoreFsContractTest extends StoreFsContract {
  @TempDir Path tmp;

  @Override
  protected Path newRoot() throws IOException {
    return Files.createTempDirectory(tmp, "root");
  }

  @Override
  protected StoreFs openFs(Path root) throws IOException {
    return new PosixStoreFsProvider().open(options());
  }

  @Override
  protected boolean realFileSystem() {
    return true;
  }

  @Override
  protected void createSymlink(Path link, Path target) throws IOException {
    Files.createSymbolicLink(link, target);
  }

  @Override
  protected String providerName() {
    return "posix";
  }

  @Override
  protected FsOptions childFsOptions() {
    return options();
  }

  /** The options the backend is opened with, here and in the suite's child processes. */
  FsOptions options() {
    return FsOptions.defaults();
  }
}
