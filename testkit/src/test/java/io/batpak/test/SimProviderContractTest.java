package io.batpak.test;

import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.nio.file.Path;

/** The contract suite against the in-memory {@code sim} provider, which plants its own links. */
@StoreFsContractTest(provider = "sim", realFiles = false)
class SimProviderContractTest extends ProviderStoreFsContract {
  @Override
  protected void createSymlink(Path link, Path target) throws IOException {
    ((SimStoreFs) fs).createSymlink(link, target);
  }
}
