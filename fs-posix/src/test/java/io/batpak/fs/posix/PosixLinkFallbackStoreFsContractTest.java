package io.batpak.fs.posix;

import io.batpak.spi.FsOptions;
import java.util.Map;

/**
 * The conformance suite again with {@code renameat2} switched off, so the {@code link}+{@code
 * unlink} fallback that file systems without {@code RENAME_NOREPLACE} get is held to the same
 * contract.
 */
class PosixLinkFallbackStoreFsContractTest extends PosixStoreFsContractTest {
  @Override
  FsOptions options() {
    return new FsOptions(Map.of("posix.renameat2", "off"));
  }
}
