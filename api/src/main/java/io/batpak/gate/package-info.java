/**
 * Caller-side gates: policy the caller evaluates before it appends. A {@link io.batpak.gate.Gate}
 * decides about a context; a {@link io.batpak.gate.GateSet} runs gates in order and, when all
 * permit, hands out a {@link io.batpak.gate.GateReceipt} that nothing else can make; a {@link
 * io.batpak.gate.Pipeline} commits only with such a receipt, or through an audited bypass whose
 * audit is stored on the committed event. The store never runs these gates; for gates the writer
 * runs at commit time see {@link io.batpak.AtomicGate}. Denials are results here, never exceptions.
 * See docs/gates.md.
 *
 * <p>Layering (ADR 0011, ADR 0018): this package depends on {@code io.batpak}, never the other way.
 */
@NullMarked
package io.batpak.gate;

import org.jspecify.annotations.NullMarked;
