package io.batpak.fs.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.posix.internal.LinuxAbi;
import org.junit.jupiter.api.Test;

class LinuxAbiTest {

  @Test
  void otherSystemsAreRefusedWithTheReason() {
    String mac = LinuxAbi.unsupportedReason("Mac OS X", "aarch64");
    assertTrue(mac.contains("Linux only") && mac.contains("Mac OS X"), mac);
    String windows = LinuxAbi.unsupportedReason("Windows 11", "amd64");
    assertTrue(windows.contains("Windows 11"), windows);
    String riscv = LinuxAbi.unsupportedReason("Linux", "riscv64");
    assertTrue(riscv.contains("riscv64") && riscv.contains("x86-64"), riscv);
  }

  @Test
  void x86AndArmAreSupportedWithTheirOwnOpenFlags() {
    assertNull(LinuxAbi.unsupportedReason("Linux", "amd64"));
    assertNull(LinuxAbi.unsupportedReason("Linux", "aarch64"));
    LinuxAbi x86 = LinuxAbi.forArch("amd64");
    LinuxAbi arm = LinuxAbi.forArch("aarch64");
    assertEquals(0200000, x86.oDirectory);
    assertEquals(0400000, x86.oNoFollow);
    assertEquals(040000, arm.oDirectory);
    assertEquals(0100000, arm.oNoFollow);
    assertNotEquals(x86.oDirectory, arm.oDirectory);
  }
}
