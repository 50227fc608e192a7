// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The distributed API from gjs, on every rank of an mpirun job (run by
// tests/distributed/mpi-launch.py on 2 ranks): the default group from
// mpirun's environment, all_reduce and all_gather against their
// definitions, an async all_reduce and its work handle, the
// DistributedSampler's shards (disjoint, covering the dataset), and
// DistributedDataParallel averaging a Linear layer's gradients. A rank
// that passes writes $LT_TEST_RESULT_DIR/rank-R.ok.

import GLib from 'gi://GLib';
import System from 'system';

import {assert, assertEqual, assertClose, assertThrows} from '../js/harness.js';
import {Lt, tensor, toArray} from '../../gi/js/lt.js';

Lt.set_num_threads(1);
Lt.init_process_group('mpi', 60);
const pg = Lt.ProcessGroup.get_default();
const rank = pg.get_rank();
const size = pg.get_size();

function gather(t) {
    const out = Lt.zeros([size, t.numel()], t.get_dtype());
    pg.all_gather(out, t.contiguous());
    return toArray(out);
}

const tests = {
    'rank and size from mpirun': () => {
        assertEqual(rank, Number(GLib.getenv('OMPI_COMM_WORLD_RANK')), 'rank');
        assertEqual(size, Number(GLib.getenv('OMPI_COMM_WORLD_SIZE')), 'size');
        assertEqual(pg.get_backend(), 'mpi', 'backend');
    },
    'all_reduce and all_gather': () => {
        const t = tensor([rank + 1, 10 * rank, -rank], {dtype: Lt.DType.FLOAT64});
        pg.all_reduce(t, Lt.ReduceOp.SUM);
        let want = [0, 0, 0];
        for (let r = 0; r < size; r++)
            want = [want[0] + r + 1, want[1] + 10 * r, want[2] - r];
        assertClose(toArray(t), want, 0, 'SUM');
        const m = tensor([rank, -rank], {dtype: Lt.DType.INT64});
        const work = pg.all_reduce_async(m, Lt.ReduceOp.MAX);
        assert(work.wait(), 'wait');
        assert(work.is_completed(), 'completed');
        assertEqual(toArray(m).join(), [size - 1, 0].join(), 'MAX');
        const rows = gather(tensor([rank, rank * rank], {dtype: Lt.DType.FLOAT32}));
        for (let r = 0; r < size; r++)
            assertEqual(rows[r].join(), [r, r * r].join(), `all_gather row ${r}`);
    },
    'AVG of an int64 tensor is an error': () => {
        assertThrows(() => pg.all_reduce(tensor([1], {dtype: Lt.DType.INT64}), Lt.ReduceOp.AVG),
            e => e.matches(Lt.error_quark(), Lt.Error.DTYPE), 'AVG of int64');
    },
    'DistributedSampler shards': () => {
        const s = Lt.DistributedSampler.new(0, -1, true, 5, false);
        assertEqual(s.get_num_replicas(), size, 'num_replicas');
        assertEqual(s.get_rank(), rank, 'rank');
        const mine = s.get_indices(11, 0);
        assertEqual(mine.numel(), Math.ceil(11 / size), 'num_samples');
        const all = gather(mine).flat();
        assertEqual([...new Set(all)].sort((a, b) => a - b).join(),
            [...Array(11).keys()].join(), 'the shards cover the dataset');
        const next = s.get_indices(11, 1);
        assert(toArray(next).join() !== toArray(mine).join() || size === 11,
            'epoch 1 reshuffles');
    },
    'DistributedDataParallel averages the gradients': () => {
        Lt.manual_seed(10 + rank);
        const fc = Lt.Linear.new(3, 2, true);
        const ddp = Lt.DistributedDataParallel.new(fc, pg, 0);
        const w = fc.get_parameter('weight');
        const weights = gather(w);
        for (let r = 1; r < size; r++)
            assertEqual(weights[r].join(), weights[0].join(), `rank ${r}'s weight, broadcast`);
        const x = Lt.full([4, 3], rank + 1, Lt.DType.FLOAT32);
        ddp.forward(x).sum().backward(null, false);
        // d(sum(x W^T + b))/dW = the column sums of x: 4 (rank + 1) per
        // element; averaged over the ranks: 4 (size + 1) / 2
        assertClose(toArray(w.get_grad()).flat(), Array(6).fill(2 * (size + 1)), 1e-5,
            'weight gradient');
    },
};

let failed = 0;
for (const [name, fn] of Object.entries(tests)) {
    try {
        fn();
        print(`rank ${rank}: ok - ${name}`);
    } catch (e) {
        failed++;
        print(`rank ${rank}: not ok - ${name}: ${e}\n${e.stack ?? ''}`);
    }
}
Lt.destroy_process_group();
if (failed === 0) {
    const dir = GLib.getenv('LT_TEST_RESULT_DIR');
    GLib.file_set_contents(GLib.build_filenamev([dir, `rank-${rank}.ok`]), '');
}
System.exit(failed ? 1 : 0);
