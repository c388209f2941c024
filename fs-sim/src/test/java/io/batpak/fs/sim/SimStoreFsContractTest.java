package io.batpak.fs.sim;

import io.batpak.fs.testkit.StoreFsContract;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;

/** Runs the backend conformance suite against {@link SimStoreFs}. */
class SimStoreFsContractTest extends StoreFsContract {

  @Override
  protected Path newRoot() {
    return Path.of("/sim/contract/root");
  }

  @Override
  protected StoreFs openFs(Path root) throws IOException {
    SimStoreFs sim = new SimStoreFs(SimSeed.resolve(7L));
    sim.createDirectories(root);
    return sim;
  }

  @Override
  protected void createSymlink(Path link, Path target) throws IOException {
    ((SimStoreFs) fs).createSymlink(link, target);
  }

  @Override
  protected String providerName() {
    return "sim";
  }
}
