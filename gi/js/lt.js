// SPDX-License-Identifier: LGPL-2.1-or-later
/**
 * @file JavaScript helpers for libtensor under gjs.
 *
 * The `Lt` namespace is usable from gjs as it is (`gi://Lt?version=1.0`);
 * this module adds what makes it natural from JavaScript:
 *
 * - {@link tensor}: a tensor from nested JS arrays, with torch's type
 *   inference;
 * - {@link toArray}: nested JS arrays back;
 * - {@link toTypedArray}: the elements as a typed array (a copy);
 * - {@link typedArrayView}: a typed array over the tensor's own memory (no
 *   copy: writes through either show in the other);
 * - {@link item}: the value of a one-element tensor as a number;
 * - {@link batches} and `for...of` over an `Lt.DataLoader`: the
 *   mini-batches of an epoch; `for...of` over an `Lt.Tensor`: its rows;
 * - {@link noGrad}: run a function with gradient recording off;
 * - {@link size}: the shape as an array;
 * - {@link trainer}: an `Lt.Trainer` whose loop runs on the main thread,
 *   where a model or dataset written in JavaScript can run;
 * - `toString()` on `Lt.Module` (PyTorch's `print(net)` text);
 * - `toString()` on `Lt.Tensor` (the tutorial's text form, so `print(x)`
 *   and template strings show it) and on `Lt.GradFn` (`<AddBackward0>`);
 * - `register_hook()` and `backward()` on `Lt.Tensor`: an exception a
 *   gradient hook throws fails the backward pass, and `backward()` throws
 *   that same exception.
 *
 * ```js
 * import Lt, {tensor, toArray, noGrad} from './lt.js';
 *
 * const x = tensor([[1, 2], [3, 4]], {dtype: Lt.DType.FLOAT32, requiresGrad: true});
 * const out = x.mul(x).sum();
 * out.backward(null, false);
 * print(x.grad);           // 2 4 / 6 8, [Lt.FloatTensor of size 2x2]
 * toArray(x.grad);         // [[2, 4], [6, 8]]
 * ```
 *
 * JavaScript has no operator overloading: write `x.add(y)`,
 * `x.mul_scalar(2)`, `x.select(1, 1)` for the tutorial's `x + y`,
 * `x * 2`, `x[:, 1]`.
 */

import Lt from 'gi://Lt?version=1.0';

export {Lt};
export default Lt;

/* Typed arrays and the element type they hold. */
const TYPED_ARRAY_DTYPES = new Map([
    [Float32Array, Lt.DType.FLOAT32],
    [Float64Array, Lt.DType.FLOAT64],
    [BigInt64Array, Lt.DType.INT64],
    [Int32Array, Lt.DType.INT32],
    [Int16Array, Lt.DType.INT16],
    [Int8Array, Lt.DType.INT8],
    [Uint8Array, Lt.DType.UINT8],
    [Uint8ClampedArray, Lt.DType.UINT8],
]);

const DTYPE_TYPED_ARRAYS = new Map([
    [Lt.DType.FLOAT32, Float32Array],
    [Lt.DType.FLOAT64, Float64Array],
    [Lt.DType.INT64, BigInt64Array],
    [Lt.DType.INT32, Int32Array],
    [Lt.DType.INT16, Int16Array],
    [Lt.DType.INT8, Int8Array],
    [Lt.DType.UINT8, Uint8Array],
    [Lt.DType.BOOL, Uint8Array],
]);

function isTypedArray(value) {
    return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function isSequence(value) {
    return Array.isArray(value) || isTypedArray(value);
}

function shapeString(shape) {
    return `[${shape.join(', ')}]`;
}

function resolveDType(dtype) {
    if (typeof dtype !== 'string')
        return dtype;
    const [ok, value] = Lt.dtype_from_name(dtype);
    if (!ok) {
        throw new Lt.Error({
            code: Lt.Error.DTYPE,
            message: `tensor: unknown dtype '${dtype}'`,
        });
    }
    return value;
}

/*
 * Walks @data (nested arrays, typed arrays, numbers, booleans), checks that
 * it is rectangular and returns its shape and its leaves in row-major order.
 */
function flatten(data) {
    const shape = [];
    for (let v = data; isSequence(v); v = v[0]) {
        shape.push(v.length);
        if (v.length === 0)
            break;
    }

    const flat = [];
    const walk = (v, depth, where) => {
        if (depth === shape.length) {
            if (isSequence(v)) {
                throw new Lt.Error({
                    code: Lt.Error.SHAPE,
                    message: `tensor: ragged nested array: element ${where} is a sequence, ` +
                             `expected a number for shape ${shapeString(shape)}`,
                });
            }
            if (typeof v === 'bigint')
                v = Number(v);
            if (typeof v !== 'number' && typeof v !== 'boolean')
                throw new TypeError(`tensor: element ${where} is a ${typeof v}, not a number or boolean`);
            flat.push(v);
            return;
        }
        if (!isSequence(v) || v.length !== shape[depth]) {
            const got = isSequence(v) ? `length ${v.length}` : 'a scalar';
            throw new Lt.Error({
                code: Lt.Error.SHAPE,
                message: `tensor: ragged nested array: element ${where} has ${got}, ` +
                         `expected length ${shape[depth]} for shape ${shapeString(shape)}`,
            });
        }
        for (let i = 0; i < v.length; i++)
            walk(v[i], depth + 1, `${where}[${i}]`);
    };
    walk(data, 0, '');
    return {shape, flat};
}

/* The dtype torch.tensor() would give these leaves. */
function inferDType(data, flat, requiresGrad) {
    if (isTypedArray(data) && TYPED_ARRAY_DTYPES.has(data.constructor))
        return TYPED_ARRAY_DTYPES.get(data.constructor);
    if (flat.length === 0 || requiresGrad)
        return Lt.DType.FLOAT32;
    if (flat.every(v => typeof v === 'boolean'))
        return Lt.DType.BOOL;
    if (flat.every(v => typeof v === 'boolean' || Number.isSafeInteger(v)))
        return Lt.DType.INT64;
    return Lt.DType.FLOAT32;
}

/**
 * Creates a tensor from nested JavaScript arrays, as `torch.tensor()`.
 *
 * The shape is read from the nesting (`[[1, 2], [3, 4]]` is 2x2; a bare
 * number gives a 0-dim tensor). Without `dtype`, the element type follows
 * torch: all booleans give `BOOL`; all integers (and booleans) give
 * `INT64`; anything else, or no elements at all, gives `FLOAT32`. A typed
 * array at the top level gives its own element type (`Float64Array` ->
 * `FLOAT64`, ...). JavaScript has one number type, so `1.0` counts as an
 * integer, and integers beyond 2^53 count as floats: pass `dtype` when it
 * matters. Since only floating-point tensors can require grad,
 * `requiresGrad: true` without `dtype` gives `FLOAT32` for integer data too
 * (`tensor([1, 2], {requiresGrad: true})`, where torch would need `1.0`).
 *
 * @param {number|boolean|Array|TypedArray} data - the values, nested
 * @param {object} [options]
 * @param {Lt.DType|string} [options.dtype] - the element type
 *   (`Lt.DType.FLOAT64` or a name such as `'float64'`); wins over inference
 * @param {boolean} [options.requiresGrad=false] - whether autograd records
 *   operations on the tensor (floating-point types only)
 * @returns {Lt.Tensor} a new tensor holding a copy of the values
 * @throws {GLib.Error} in the `Lt.Error` domain: `SHAPE` for ragged nesting,
 *   `DTYPE` for an unknown dtype name or an integer tensor that requires grad
 * @throws {TypeError} for an element that is neither a number nor a boolean
 */
export function tensor(data, {dtype = null, requiresGrad = false} = {}) {
    const {shape, flat} = flatten(data);
    const type = dtype === null || dtype === undefined ? inferDType(data, flat, requiresGrad) : resolveDType(dtype);
    const values = flat.map(v => typeof v === 'boolean' ? Number(v) : v);

    let t;
    if (type !== Lt.DType.BOOL && Lt.dtype_is_integral(type, false) &&
        values.every(Number.isSafeInteger))
        t = Lt.Tensor.new_from_int64s(values, shape, type);
    else
        t = Lt.Tensor.new_from_doubles(values, shape, type);
    if (requiresGrad)
        t.set_requires_grad(true);
    return t;
}

/**
 * Reads a tensor back into nested JavaScript arrays, as `tensor.tolist()`:
 * numbers for numeric types (int64 exact up to 2^53), booleans for `BOOL`,
 * and a bare value for a 0-dim tensor.
 *
 * @param {Lt.Tensor} t - the tensor (any layout; CPU or another device)
 * @returns {number|boolean|Array} the values, nested like the shape
 */
export function toArray(t) {
    const shape = t.get_shape();
    const dtype = t.get_dtype();
    let values;
    if (dtype === Lt.DType.BOOL)
        values = t.to_doubles().map(v => v !== 0);
    else if (Lt.dtype_is_floating(dtype))
        values = t.to_doubles();
    else
        values = t.to_int64s();

    if (shape.length === 0)
        return values[0];
    let pos = 0;
    const build = depth => {
        const out = new Array(shape[depth]);
        for (let i = 0; i < out.length; i++)
            out[i] = depth + 1 === shape.length ? values[pos++] : build(depth + 1);
        return out;
    };
    return build(0);
}

/**
 * Copies a tensor's elements, in row-major order, into a typed array of
 * its element type: `Float32Array` for `FLOAT32`, `BigInt64Array` for
 * `INT64`, `Uint8Array` (0 or 1) for `BOOL`, ... The array is a copy:
 * writing to it does not change the tensor.
 *
 * @param {Lt.Tensor} t - the tensor
 * @returns {TypedArray} the elements
 */
export function toTypedArray(t) {
    const Type = DTYPE_TYPED_ARRAYS.get(t.get_dtype());
    /* GLib.Bytes.toArray() shares the bytes' memory with the Uint8Array. */
    const bytes = t.to_bytes().toArray();
    if (bytes.byteOffset % Type.BYTES_PER_ELEMENT !== 0)
        return new Type(bytes.slice().buffer);
    return new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
}

/**
 * A typed array over the tensor's own memory, as `tensor.numpy()` is in
 * Python: no copy is made, writes to the tensor show in the array and
 * writes to the array show in the tensor (for `BOOL` tensors, write only 0
 * or 1). The array is of the tensor's element type (`Float32Array` for
 * `FLOAT32`, `BigInt64Array` for `INT64`, `Uint8Array` for `BOOL`, ...),
 * holds the elements in row-major order and keeps the memory alive, after
 * the tensor is gone too.
 *
 * It needs a contiguous tensor in host memory (`t.contiguous()` gives
 * one); {@link toTypedArray} copies any tensor. Writes through the array
 * are not seen by autograd, as with `.data` in the tutorial.
 *
 * ```js
 * const a = Lt.ones([5], Lt.DType.FLOAT32);
 * const b = typedArrayView(a);   // Float32Array [1, 1, 1, 1, 1]
 * a.add_scalar_(1);              // b is [2, 2, 2, 2, 2] now
 * ```
 *
 * @param {Lt.Tensor} t - a contiguous tensor in host memory
 * @returns {TypedArray} the elements, sharing the tensor's memory
 * @throws {GLib.Error} `Lt.Error.INVALID_ARGUMENT` for a tensor that is not
 *   contiguous, `Lt.Error.DEVICE` for one outside host memory
 */
export function typedArrayView(t) {
    const Type = DTYPE_TYPED_ARRAYS.get(t.get_dtype());
    /* lt_tensor_get_bytes() shares the tensor's storage, and gjs's
     * GLib.Bytes.toArray() shares the bytes (the ArrayBuffer keeps them,
     * and through them the storage, alive). */
    const bytes = t.get_bytes().toArray();
    return new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
}

/**
 * The value of a one-element tensor, as `tensor.item()`: a number (an
 * int64 exact up to 2^53), or a boolean for `BOOL`.
 *
 * @param {Lt.Tensor} t - a tensor of one element
 * @returns {number|boolean} its value
 * @throws {GLib.Error} `Lt.Error.SHAPE` for a tensor of another size
 */
export function item(t) {
    const dtype = t.get_dtype();
    if (Lt.dtype_is_floating(dtype))
        return t.item()[1];
    const [, value] = t.item_int64();
    return dtype === Lt.DType.BOOL ? value !== 0 : value;
}

/**
 * Runs a function with gradient recording off on this thread, as
 * `with torch.no_grad():`, and restores the previous state afterwards,
 * also when the function throws.
 *
 * @template T
 * @param {function(): T} fn - the work to run
 * @returns {T} what `fn` returns
 */
export function noGrad(fn) {
    const prev = Lt.set_grad_enabled(false);
    try {
        return fn();
    } finally {
        Lt.set_grad_enabled(prev);
    }
}

/**
 * Gets the shape of a tensor, as `tensor.size()`.
 *
 * @param {Lt.Tensor} t - the tensor
 * @param {number} [dim] - one dimension (negative counts from the end)
 * @returns {number[]|number} the size of every dimension, or of `dim`
 * @throws {GLib.Error} `Lt.Error.INDEX` when `dim` is out of range
 */
export function size(t, dim) {
    if (dim === undefined)
        return Array.from(t.get_shape());
    return t.get_size(dim);
}

/**
 * The tutorial's text form of the tensor, from `lt_tensor_to_string()`:
 * what `print(x)` and `${x}` show.
 *
 * @returns {string} the values and a line such as `[Lt.FloatTensor of size 5x3]`
 */
Lt.Tensor.prototype.toString = function () {
    return this.to_string();
};

/**
 * The node's name in angle brackets, such as `<AddBackward0>`.
 *
 * @returns {string} the name
 */
Lt.GradFn.prototype.toString = function () {
    return `<${this.get_name()}>`;
};

/* The exception the last failing gradient hook threw, for backward() to
 * throw again (JavaScript runs on the main thread only). */
let hookException = null;

const registerHook = Lt.Tensor.prototype.register_hook;
const backward = Lt.Tensor.prototype.backward;

/**
 * Registers a gradient hook, as `x.register_hook()`: during `backward()`,
 * `hook(grad)` sees the gradient computed for this tensor and may return
 * a replacement (a tensor of the same shape, dtype and device) or null. An
 * exception it throws, or a result that is neither a tensor nor null,
 * fails the backward pass, and `backward()` throws that exception.
 *
 * @param {function(Lt.Tensor): ?Lt.Tensor} hook - the hook
 * @returns {number} an id for `remove_hook()`
 * @throws {GLib.Error} `Lt.Error.AUTOGRAD` for a tensor that does not
 *   require grad
 */
Lt.Tensor.prototype.register_hook = function (hook) {
    return registerHook.call(this, grad => {
        try {
            const result = hook(grad);
            if (result === null || result === undefined)
                return null;
            if (!(result instanceof Lt.Tensor)) {
                throw new TypeError(`expected a tensor or null, but hook '${
                    hook.name || '(anonymous)'}' returned ${typeof result}`);
            }
            return result;
        } catch (e) {
            hookException = e;
            throw e;
        }
    });
};

/**
 * Computes the gradients of this tensor with respect to the leaves of its
 * graph, as `out.backward()` (`lt_tensor_backward()`). An exception thrown
 * by a gradient hook is thrown again, itself.
 *
 * @param {?Lt.Tensor} [gradient] - the gradient of this tensor (null for a
 *   one-element tensor)
 * @param {boolean} [retainGraph] - keep the saved tensors for another pass
 * @throws {GLib.Error} in `Lt.Error` (`AUTOGRAD`, `SHAPE`, ...) when the
 *   pass fails; whatever a hook threw when a hook failed
 */
Lt.Tensor.prototype.backward = function (gradient = null, retainGraph = false) {
    hookException = null;
    try {
        backward.call(this, gradient, retainGraph);
    } catch (e) {
        const thrown = hookException;
        hookException = null;
        throw thrown ?? e;
    }
};

/**
 * The module's printed form, PyTorch's `print(net)` (from
 * `lt_module_to_string()`), so `print(net)` and `${net}` show it. A network
 * is a subclass of `Lt.Module`:
 *
 * ```js
 * const Net = GObject.registerClass(class Net extends Lt.Module {
 *     constructor() {
 *         super();
 *         this.fc = Lt.Linear.new(4, 2, true);
 *         this.register_module('fc', this.fc);
 *     }
 *
 *     vfunc_forward(x) {
 *         return this.fc.forward(x).relu();
 *     }
 * });
 * print(new Net());   // Net(
  (fc): Linear(in_features=4, ...)
)
 * ```
 *
 * An exception thrown in `vfunc_forward` reaches the C caller as a GError
 * and comes back to JavaScript as the exception thrown.
 *
 * @returns {string} the module tree as PyTorch prints it
 */
Lt.Module.prototype.toString = function () {
    return this.to_string();
};

/**
 * The batches of one epoch of a data loader, as `[inputs, targets]` pairs
 * (targets is null for a dataset without targets). The loader starts a new
 * epoch (`reset()`), so every loop reads a whole, reshuffled epoch; a
 * failing dataset or transform throws from the loop. `Lt.DataLoader` is
 * iterable the same way:
 *
 * ```js
 * for (const [images, labels] of loader)
 *     train(images, labels);
 * ```
 *
 * A dataset implemented in JavaScript must be read with `num_workers` 0:
 * JavaScript runs only on the main thread.
 *
 * @param {Lt.DataLoader} loader a data loader
 * @yields {Array} `[inputs, targets]`
 */
export function* batches(loader) {
    loader.reset();
    for (;;) {
        const [, inputs, targets] = loader.next();
        if (inputs === null)
            return;                             // the end of the epoch
        yield [inputs, targets];
    }
}

Lt.DataLoader.prototype[Symbol.iterator] = function () {
    return batches(this);
};

/**
 * The rows of a tensor (its slices along the first dimension, as views),
 * as iterating a tensor in Python: `for (const row of t)`.
 *
 * @yields {Lt.Tensor} `t.select(0, i)` for each i
 * @throws {GLib.Error} `Lt.Error.SHAPE` for a 0-dim tensor
 */
Lt.Tensor.prototype[Symbol.iterator] = function* () {
    if (this.get_n_dims() === 0) {
        throw new Lt.Error({
            code: Lt.Error.SHAPE,
            message: 'iteration over a 0-dim tensor',
        });
    }
    const n = this.get_size(0);
    for (let i = 0; i < n; i++)
        yield this.select(0, i);
};

/**
 * An `Lt.Trainer` (the tutorial's training loop, with its signals) for
 * JavaScript. gjs runs JavaScript on the main thread only, so by default
 * the loop runs there (`threaded: false`): `run(null)` trains on the
 * calling thread and iterates the main context between mini-batches, so
 * the signals, timeouts, a pause and a GTK window's redraws are dispatched
 * meanwhile. With a model, loss and dataset all written in C (layers,
 * `Lt.Sequential`, the library's datasets), `threaded: true` trains in a
 * worker thread instead.
 *
 * ```js
 * const t = trainer(net, criterion, optimizer, trainLoader, testLoader,
 *                   {epochs: 2, logInterval: 2000});
 * t.connect('log', (_t, epoch, i, loss) =>
 *     print(`[${epoch}, ${String(i).padStart(5)}] loss: ${loss.toFixed(3)}`));
 * t.run(null);
 * ```
 *
 * @param {Lt.Module} model the model to train
 * @param {Lt.Loss} criterion the loss
 * @param {Lt.Optimizer} optimizer an optimizer over the model's parameters
 * @param {Lt.DataLoader} trainLoader the training set's loader
 * @param {?Lt.DataLoader} testLoader the test set's loader (evaluated
 *   after every epoch), or null
 * @param {object} [options] the trainer's properties: `epochs` (2),
 *   `logInterval`, `checkpointPath`, `checkpointEveryEpoch`, `maxSteps`,
 *   `graphInterval`, `batchInterval`, `device`, `threaded` (false),
 *   `stopOnDivergence` (true: a NaN or infinite loss ends the run, and
 *   `run()` throws an `Lt.Error.DIVERGED` error naming the step)
 * @returns {Lt.Trainer} the trainer
 */
export function trainer(model, criterion, optimizer, trainLoader, testLoader = null,
    {epochs = 2, logInterval, checkpointPath, checkpointEveryEpoch, maxSteps, graphInterval,
        batchInterval, device, threaded = false, stopOnDivergence} = {}) {
    const t = Lt.Trainer.new(model, criterion, optimizer, trainLoader, testLoader, epochs);
    t.threaded = threaded;
    if (logInterval !== undefined)
        t.log_interval = logInterval;
    if (checkpointPath !== undefined)
        t.checkpoint_path = checkpointPath;
    if (checkpointEveryEpoch !== undefined)
        t.checkpoint_every_epoch = checkpointEveryEpoch;
    if (maxSteps !== undefined)
        t.max_steps = maxSteps;
    if (graphInterval !== undefined)
        t.graph_interval = graphInterval;
    if (batchInterval !== undefined)
        t.batch_interval = batchInterval;
    if (device !== undefined)
        t.device = device;
    if (stopOnDivergence !== undefined)
        t.stop_on_divergence = stopOnDivergence;
    return t;
}
