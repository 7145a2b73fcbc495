package org.causalimpact.monitor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.ingest.Source;
import org.junit.jupiter.api.Test;

/** A monitor's interventions in memory: what each change leaves to write, and what is forgotten. */
class InterventionsTest {
  private static TrackedIntervention started(String id, long startStep) {
    TrackedIntervention iv = new TrackedIntervention();
    iv.id = id;
    iv.startStep = startStep;
    iv.source = new Source("interventions", 0, startStep, null, new byte[] {1, 2, 3});
    return iv;
  }

  private static void end(Interventions st, TrackedIntervention iv, long endStep) {
    iv.endStep = endStep;
    iv.ending = TrackedIntervention.Ending.ENDED;
    st.end(iv);
  }

  @Test
  void aChangedRecordIsWrittenAndTheIndexOnlyWhenTheSetOfInterventionsChanges() {
    Interventions st = new Interventions();
    assertNull(st.index(), "nothing changed");
    TrackedIntervention a = started("a", 10);
    st.start(a);
    assertEquals(List.of("a"), st.index().running);
    assertEquals(Map.of("a", a), st.unsaved());
    st.saved();
    assertTrue(st.unsaved().isEmpty());
    st.changed(a); // a closed row moved it on
    assertNull(st.index(), "the index changes only when the set of interventions does");
    assertEquals(Map.of("a", a), st.unsaved());
    assertTrue(st.activeAt(10));
    assertFalse(st.activeAt(9), "pending before its first step");
  }

  @Test
  void anEndedInterventionIsWrittenOnceWithoutItsEventBytes() {
    Interventions st = new Interventions();
    TrackedIntervention a = started("a", 10);
    st.start(a);
    st.saved();
    end(st, a, 12);
    assertNull(a.source);
    assertEquals(Map.of("a", a), st.unsaved());
    assertEquals(Map.of("a", 12L), st.index().ended);
    assertTrue(st.index().running.isEmpty());
    st.saved();
    assertTrue(st.unsaved().isEmpty(), "written once");
    assertTrue(st.ended("a"));
    TrackedIntervention b = started("b", 20);
    assertThrows(IllegalArgumentException.class, () -> st.end(b), "no ending, no end step");
  }

  @Test
  void theOldestEndedAreForgottenBeyondTheCountAndTheAge() {
    Interventions st = new Interventions();
    for (int i = 0; i < 5; i++) {
      TrackedIntervention iv = started("e" + i, 10L * i);
      st.start(iv);
      end(st, iv, 10L * i + 5);
    }
    st.saved();
    assertEquals(2, st.forget(3, Long.MIN_VALUE));
    assertEquals(List.of("e2", "e3", "e4"), List.copyOf(st.ended().keySet()));
    assertEquals(1, st.forget(3, 26), "e2 ended at 25, before 26");
    assertEquals(List.of("e3", "e4"), List.copyOf(st.ended().keySet()));
    Map<String, TrackedIntervention> unsaved = st.unsaved();
    assertEquals(List.of("e0", "e1", "e2"), List.copyOf(unsaved.keySet()));
    assertTrue(unsaved.values().stream().allMatch(v -> v == null), "forgotten: deleted");
    assertEquals(0, st.forget(3, 26), "nothing more to forget");
    st.saved();
    assertEquals(2, st.forget(0, Long.MIN_VALUE), "keep 0 forgets every ended one");
    assertTrue(st.ended().isEmpty());
  }

  @Test
  void anIndexNamingARunningInterventionWithoutARecordIsRefusedWithWhatToDo() {
    InterventionIndex index = new InterventionIndex();
    index.running.add("lost");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Interventions(index, Map.of()));
    assertTrue(e.getMessage().contains("reset the application's state"), e.getMessage());
  }
}
