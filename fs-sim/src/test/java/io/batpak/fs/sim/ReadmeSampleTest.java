package io.batpak.fs.sim;

import static io.batpak.fs.sim.Sim.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.port.RenameMode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The "Faults" sample of fs-sim/README.md runs, and does what the README says it does. */
class ReadmeSampleTest {

  @Test
  void theFaultsSampleInstallsItsPlanAndArmsTheOneShotSlot() throws IOException {
    SimStoreFs fs = Sim.withDir(17);
    // sample:faults
    fs.setFaultPlan(
        FaultPlan.of(
            FaultRule.on(
                FsOp.WRITE, "/sim/store/*.seg", FaultTrigger.nth(3), FaultAction.tornWrite(10)),
            FaultRule.on(FsOp.SYNC, FaultTrigger.probability(0.1), FaultAction.failedSync()),
            FaultRule.on(FsOp.WRITE, FaultTrigger.always(), FaultAction.noSpaceQuota(1 << 20)),
            FaultRule.on(FsOp.DIR_SYNC, FaultTrigger.afterOp(500), FaultAction.crashBefore())));
    fs.armFaultOn(FsOp.RENAME, 2); // the reference's one-shot slot: counter reset now
    // end-sample:faults
    assertEquals(4, fs.faultPlan().rules().size());
    assertEquals(FsOp.DIR_SYNC, fs.faultPlan().rules().get(3).op());
    for (String name : List.of("a", "b", "c")) {
      fs.create(p(name)).close();
    }
    fs.rename(p("a"), p("x"), RenameMode.REPLACE); // the first rename since arming passes
    assertThrows(IOException.class, () -> fs.rename(p("b"), p("y"), RenameMode.REPLACE));
    fs.rename(p("b"), p("y"), RenameMode.REPLACE); // one shot: the third passes again
    assertEquals(List.of("c", "x", "y"), fs.list(Sim.DIR));
  }
}
