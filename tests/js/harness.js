// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The shared harness of the gjs tests in this directory: an assertion kit
// whose every failure throws, a test registry, and the runner that each
// test file calls at its end. It is imported by the tests, not run as a
// test itself.
//
//     import {assert, assertEqual, test, run} from './harness.js';
//     test('a name', () => assertEqual(1 + 1, 2, 'sum'));
//     run();

import System from 'system';

import {toArray} from '../../gi/js/lt.js';

/**
 * The error every failed check throws; the runner reports it as a failed
 * test.
 */
export class AssertionError extends Error {
    get name() {
        return 'AssertionError';
    }
}

/**
 * Fails unless `cond` is truthy.
 *
 * @param {*} cond - the condition that must hold
 * @param {string} what - the failure message
 */
export function assert(cond, what) {
    if (!cond)
        throw new AssertionError(what);
}

/**
 * Fails unless `got` and `want` have the same JSON.stringify() text, so
 * nested arrays and objects compare by value.
 *
 * @param {*} got - the value computed
 * @param {*} want - the value expected
 * @param {string} what - names the check in the failure message
 */
export function assertEqual(got, want, what) {
    const g = JSON.stringify(got), w = JSON.stringify(want);
    if (g !== w)
        throw new AssertionError(`${what}: got ${g}, want ${w}`);
}

/**
 * Fails unless two arrays of numbers have the same length and each pair of
 * elements differs by at most `tol` (a NaN never passes).
 *
 * @param {ArrayLike<number>} got - the values computed
 * @param {ArrayLike<number>} want - the values expected
 * @param {number} tol - the largest absolute difference allowed
 * @param {string} what - names the check in the failure message
 */
export function assertClose(got, want, tol, what) {
    assertEqual(got.length, want.length, `${what}: length`);
    for (let i = 0; i < got.length; i++) {
        if (!(Math.abs(got[i] - want[i]) <= tol))
            throw new AssertionError(`${what}: element ${i} is ${got[i]}, want ${want[i]}`);
    }
}

/**
 * Fails unless `fn` throws, and hands the exception to `check`: `check`
 * either returns a boolean (false fails with "wrong exception") or makes
 * its own assertions and returns nothing.
 *
 * @param {function(): *} fn - the code that must throw
 * @param {function(*): (boolean|undefined)} check - judges the exception
 * @param {string} what - names the check in the failure message
 * @returns {*} the exception thrown
 */
export function assertThrows(fn, check, what) {
    try {
        fn();
    } catch (e) {
        assert(check(e) !== false, `${what}: wrong exception ${e}`);
        return e;
    }
    throw new AssertionError(`${what}: no exception`);
}

/**
 * The elements of a tensor as one flat array in row-major order, from
 * toArray() of gi/js/lt.js.
 *
 * @param {Lt.Tensor} t - the tensor
 * @returns {Array<number|boolean>} its elements
 */
export function flat(t) {
    return toArray(t).flat(Infinity);
}

const tests = [];

/**
 * Registers a test; run() calls the tests in the order registered.
 *
 * @param {string} name - the name the runner prints
 * @param {function(): void} fn - the test; it fails by throwing
 */
export function test(name, fn) {
    tests.push({name, fn});
}

/**
 * Runs every registered test, printing `ok - name` or `not ok - name` for
 * each, and exits the process: with status 1 when a test failed.
 *
 * Two output forms, chosen by `tap`:
 * - off (the default): `ok - name`, `not ok - name: error` followed by
 *   the stack, then a last line `N passed, M failed`, all on standard
 *   output; the process always exits, with 0 when every test passed.
 * - on: TAP with a plan line `1..N` and numbered results `ok 1 - name`;
 *   a failure's error and stack and the count of failures go to standard
 *   error as `#` comments; when every test passed, run() returns.
 *
 * @param {object} [options] - options
 * @param {boolean} [options.tap=false] - print TAP with a plan and numbers
 */
export function run({tap = false} = {}) {
    let failed = 0;
    if (tap)
        print(`1..${tests.length}`);
    tests.forEach(({name, fn}, i) => {
        try {
            fn();
            print(tap ? `ok ${i + 1} - ${name}` : `ok - ${name}`);
        } catch (e) {
            failed++;
            if (tap) {
                print(`not ok ${i + 1} - ${name}`);
                printerr(`# ${name}: ${e}\n${e.stack ?? ''}`);
            } else {
                print(`not ok - ${name}: ${e}\n${e.stack ?? ''}`);
            }
        }
    });
    if (tap) {
        if (failed > 0) {
            printerr(`# ${failed} of ${tests.length} failed`);
            System.exit(1);
        }
        return;
    }
    print(`${tests.length - failed} passed, ${failed} failed`);
    System.exit(failed ? 1 : 0);
}
