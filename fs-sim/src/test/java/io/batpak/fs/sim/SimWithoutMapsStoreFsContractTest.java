package io.batpak.fs.sim;

import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs the backend conformance suite against a {@link SimStoreFs} without the mapped-read
 * capability ({@link SimStoreFs.Builder#mappedReads(boolean) mappedReads(false)}): every other test
 * passes as with it, and every map is refused.
 */
class SimWithoutMapsStoreFsContractTest extends SimStoreFsContractTest {

  @Override
  protected StoreFs openFs(Path root) throws IOException {
    SimStoreFs sim = SimStoreFs.builder().seed(SimSeed.resolve(8L)).mappedReads(false).build();
    sim.createDirectories(root);
    return sim;
  }
}
