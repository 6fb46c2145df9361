/* Promela model of fen's kernel lock protocol (docs/design/locking.md §10,
 * shared/spec/locking.md §6.4-§6.6). Checked by tests/lock_model_test.cc with spin.
 *
 * Kernel OFD lock semantics: a shared request is granted while no exclusive lock is held
 * (even if an exclusive request is waiting: Linux does not queue); an exclusive request is
 * granted when no lock is held. A crash releases every lock the process holds (the kernel
 * closes its descriptors) and the process restarts.
 *
 * Processes: W0 locks {m0}; W01 locks {m0, m1} in byte order; WN locks {m1} and, holding it,
 * runs a nested child writer on {m0} that takes global shared WITHOUT the gate (§6.6). Only
 * that nested model wait may end by its deadline (the spec's bounded cross-tree cycle); every
 * other wait blocks forever, so a deadlock among them would be an invalid end state;
 * S1, S2 are structural commands. Every process may crash after any acquisition.
 *
 * Safety (assertions): I1 at most one writer per model; I2 no writer section during a
 * structural section. Deadlock freedom: no invalid end state. Liveness (ltl, checked with
 * -DONE_STRUCTURAL because structural commands do not queue fairly among themselves): a
 * structural command holding the gate eventually runs under weak fairness although writers
 * keep arriving. -DNO_GATE removes the gate from the writers, which must break the liveness property
 * (the test checks that spin finds the starvation cycle).
 */

byte gate_s = 0;   /* shared holders of gate */
bit  gate_x = 0;   /* exclusive holder of gate */
byte glob_s = 0;   /* shared holders of global */
bit  glob_x = 0;   /* exclusive holder of global */
bit  model[4];     /* exclusive holders of the model locks */

byte in_model[4];  /* writers inside a critical section on model i */
byte writers_in = 0;
byte structural_in = 0;
bit  s_waiting = 0;

inline lock_shared(s, x)    { atomic { x == 0 -> s++ } }
inline lock_exclusive(s, x) { atomic { x == 0 && s == 0 -> x = 1 } }
inline lock_model(i)        { atomic { model[i] == 0 -> model[i] = 1 } }

inline writer_section(i) {
  atomic { in_model[i]++; writers_in++ };
  assert(in_model[i] == 1);      /* I1 */
  assert(structural_in == 0);    /* I2 */
  atomic { in_model[i]--; writers_in-- }
}

/* A crash may happen after any step: the kernel drops whatever is held. Crashes are finite
 * (at most MAX_CRASHES in a run), so liveness is judged on runs that eventually stop
 * crashing. */
#ifndef MAX_CRASHES
#define MAX_CRASHES 2
#endif
byte crashes = 0;
#define MAYBE_CRASH if :: crashes < MAX_CRASHES -> crashes++; goto crash :: skip fi
/* The structural command whose liveness is checked does not crash itself (a crash ends its
 * wait; the restarted command is a new request). */
#define MAYBE_CRASH_S if :: !observed && crashes < MAX_CRASHES -> crashes++; goto crash :: skip fi

proctype Writer(byte lo; byte hi) {
  bit h_gate = 0, h_glob = 0, h_lo = 0, h_hi = 0;
start:
  do
  :: true ->
#ifndef NO_GATE
     lock_shared(gate_s, gate_x); h_gate = 1; MAYBE_CRASH;
#endif
     lock_shared(glob_s, glob_x); h_glob = 1; MAYBE_CRASH;
#ifndef NO_GATE
     atomic { gate_s--; h_gate = 0 };
#endif
     lock_model(lo); h_lo = 1; MAYBE_CRASH;
     if
     :: hi != lo -> lock_model(hi); h_hi = 1; MAYBE_CRASH
     :: else -> skip
     fi;
     writer_section(lo);
     if :: hi != lo -> writer_section(hi) :: else -> skip fi;
     atomic { if :: h_hi -> model[hi] = 0; h_hi = 0 :: else -> skip fi };
     atomic { model[lo] = 0; h_lo = 0 };
     atomic { glob_s--; h_glob = 0 }
  od;
crash:
  atomic {
    if :: h_gate -> gate_s--; h_gate = 0 :: else -> skip fi;
    if :: h_glob -> glob_s--; h_glob = 0 :: else -> skip fi;
    if :: h_lo -> model[lo] = 0; h_lo = 0 :: else -> skip fi;
    if :: h_hi -> model[hi] = 0; h_hi = 0 :: else -> skip fi
  };
  goto start
}

/* A writer on m1 whose step spawns a nested fen writer on m0 and waits for it. */
proctype NestedWriter() {
  bit h_gate = 0, h_glob = 0, h_m1 = 0, c_glob = 0, c_m0 = 0;
start:
  do
  :: true ->
#ifndef NO_GATE
     lock_shared(gate_s, gate_x); h_gate = 1;
#endif
     lock_shared(glob_s, glob_x); h_glob = 1;
#ifndef NO_GATE
     atomic { gate_s--; h_gate = 0 };
#endif
     lock_model(1); h_m1 = 1; MAYBE_CRASH;
     /* child: global shared directly (an ancestor holds it), then its model. Its model wait
      * is outside the global byte order (a cycle through two process trees is possible), so
      * it is bounded by the deadline: the child may time out (lock_timeout) instead. */
     lock_shared(glob_s, glob_x); c_glob = 1;
     if
     :: lock_model(0); c_m0 = 1; MAYBE_CRASH;
        writer_section(0);
        atomic { model[0] = 0; c_m0 = 0 }
     :: true -> skip   /* deadline passed: the child fails with lock_timeout */
     fi;
     atomic { glob_s--; c_glob = 0 };
     writer_section(1);
     atomic { model[1] = 0; h_m1 = 0 };
     atomic { glob_s--; h_glob = 0 }
  od;
crash:  /* the parent crashes; its child is killed with it (same process group) */
  atomic {
    if :: h_gate -> gate_s--; h_gate = 0 :: else -> skip fi;
    if :: h_glob -> glob_s--; h_glob = 0 :: else -> skip fi;
    if :: h_m1 -> model[1] = 0; h_m1 = 0 :: else -> skip fi;
    if :: c_glob -> glob_s--; c_glob = 0 :: else -> skip fi;
    if :: c_m0 -> model[0] = 0; c_m0 = 0 :: else -> skip fi
  };
  goto start
}

proctype Structural(bit observed) {
  bit h_gate = 0, h_glob = 0;
start:
  do
  :: true ->
     lock_exclusive(gate_s, gate_x); h_gate = 1;
     if :: observed -> s_waiting = 1 :: else -> skip fi;
     MAYBE_CRASH_S;
     lock_exclusive(glob_s, glob_x); h_glob = 1;
     atomic { gate_x = 0; h_gate = 0 };
     atomic { structural_in++; if :: observed -> s_waiting = 0 :: else -> skip fi };
progress_s:
     assert(writers_in == 0);    /* I2 */
     assert(structural_in == 1); /* structural commands exclude each other */
     structural_in--;
     MAYBE_CRASH_S;
     atomic { glob_x = 0; h_glob = 0 }
  od;
crash:
  atomic {
    if :: h_gate -> gate_x = 0; h_gate = 0 :: else -> skip fi;
    if :: h_glob -> glob_x = 0; h_glob = 0 :: else -> skip fi;
    if :: observed -> s_waiting = 0 :: else -> skip fi
  };
  goto start
}

init {
  atomic {
#ifndef ONE_STRUCTURAL
    run Writer(0, 0);
    run Writer(0, 1);
#else
    /* Liveness variant: writers on disjoint models, so that the only contention is on
     * gate/global. (Waiters on one model lock are woken by the kernel in no fixed order; weak
     * fairness cannot express that they eventually win, so same-model starvation is out of
     * this check's scope.) */
    run Writer(2, 2);
    run Writer(3, 3);
#endif
    run NestedWriter();
    run Structural(1);
#ifndef ONE_STRUCTURAL
    run Structural(0)   /* structural commands among themselves are not FIFO (§6.4) */
#endif
  }
}

/* A structural command that holds the gate eventually runs, although writers keep arriving
 * (they queue at the gate; in-flight writers finish). Getting the gate itself competes with
 * writers' momentary gate holds (between their gate and global acquisitions, microseconds),
 * which weak fairness cannot model; docs/design/locking.md §10 discusses it. */
ltl structural_runs { [] (s_waiting -> <> (structural_in > 0)) }
