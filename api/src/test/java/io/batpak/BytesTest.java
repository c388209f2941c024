package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BytesTest {

  /**
   * Every factory refuses null with a message naming its parameter, as the API's nulls rule says.
   */
  @Test
  void everyFactoryNamesItsNullParameter() {
    List<Map.Entry<String, Executable>> calls =
        List.of(
            Map.entry("bytes", () -> Bytes.of((byte[]) null)),
            Map.entry("bytes", () -> Bytes.of(null, 0, 0)),
            Map.entry("buffer", () -> Bytes.of((ByteBuffer) null)),
            Map.entry("text", () -> Bytes.utf8(null)),
            Map.entry("hex", () -> Bytes.fromHex(null)),
            Map.entry("bytes", () -> Bytes.ofOwned(null)));
    for (Map.Entry<String, Executable> call : calls) {
      assertEquals(
          call.getKey(),
          assertThrows(NullPointerException.class, call.getValue()).getMessage(),
          call.getKey());
    }
  }

  @Test
  void theFactoriesAgreeOnContent() {
    Bytes abc = Bytes.utf8("abc");
    assertEquals(abc, Bytes.of((byte) 'a', (byte) 'b', (byte) 'c'));
    assertEquals(abc, Bytes.of(new byte[] {'x', 'a', 'b', 'c'}, 1, 3));
    assertEquals(abc, Bytes.of(ByteBuffer.wrap(new byte[] {'a', 'b', 'c'})));
    assertEquals(abc, Bytes.fromHex("616263"));
    assertEquals(Bytes.empty(), Bytes.utf8(""));
  }
}
