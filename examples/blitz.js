// SPDX-License-Identifier: LGPL-2.1-or-later
//
// "Deep Learning with PyTorch: A 60 Minute Blitz", section by section, in
// JavaScript (gjs) with libtensor and its helper module gi/js/lt.js.
// JavaScript has no operator overloading: x.add(y) is the tutorial's x + y,
// x.mul_scalar(2) is x * 2, x.select(1, 1) is x[:, 1].
//
//   gjs -m examples/blitz.js              run every section
//   gjs -m examples/blitz.js autograd     run the named sections only
//
// Uninstalled, point GI_TYPELIB_PATH and LD_LIBRARY_PATH at build/libtensor
// (or use `meson devenv -C build`). Every section seeds the generator, so
// the numbers are the same as lt-blitz's (examples/blitz.c). A libtensor
// error ends the program with its message and status 1.
//
// A later section is one more function appended below and one more row in
// `sections`.

import System from 'system';

import Lt, {tensor, toArray, toTypedArray, noGrad, size} from '../gi/js/lt.js';

function heading(title, underline) {
    print(`${title}\n${underline.repeat(title.length)}\n`);
}

/* A step of the tutorial: what it does and its Python code. */
function step(what, python) {
    if (what)
        print(what);
    print(`>>> ${python}`);
}

/* ---- What is PyTorch? Tensors ---- */

function sectionTensors() {
    step('Construct a 5x3 matrix, uninitialized:', 'x = torch.Tensor(5, 3)');
    let x = Lt.empty([5, 3], Lt.DType.FLOAT32);
    print(x);   /* toString() is the tutorial's text form */

    step('Construct a randomly initialized matrix:', 'x = torch.rand(5, 3)');
    x = Lt.rand([5, 3], Lt.DType.FLOAT32);
    print(x);

    step('Get its size:', 'print(x.size())');
    print(`Lt.Size([${size(x).join(', ')}])\n`);

    heading('Operations', '-');
    step('Addition: syntax 1', 'y = torch.rand(5, 3); print(x + y)');
    const y = Lt.rand([5, 3], Lt.DType.FLOAT32);
    print(x.add(y));

    step('Addition: syntax 2', 'print(torch.add(x, y))');
    print(x.add(y));

    step('Addition: giving an output tensor',
        'result = torch.Tensor(5, 3); torch.add(x, y, out=result); print(result)');
    const result = Lt.empty([5, 3], Lt.DType.FLOAT32);
    x.add_out(y, result);
    print(result);

    step('Addition: in-place (adds x to y)', 'y.add_(x); print(y)');
    y.add_(x);
    print(y);

    step('Standard NumPy-like indexing: the second column, a view of x', 'print(x[:, 1])');
    print(x.select(1, 1));
}

/* ---- NumPy Bridge: in JavaScript, typed arrays (copies) ---- */

function sectionNumpyBridge() {
    step('Converting a Torch Tensor to an array (in JS: toTypedArray(), a copy)',
        'a = torch.ones(5); print(a)');
    const a = Lt.ones([5], Lt.DType.FLOAT32);
    print(a);

    step(null, 'b = a.numpy(); print(b)');
    const b = toTypedArray(a);
    print(`${b.constructor.name} [${b.join(', ')}]\n`);

    step('Change the tensor (the copy keeps its values):', 'a.add_(1); print(a); print(b)');
    a.add_scalar_(1);
    print(a);
    print(`${b.constructor.name} [${b.join(', ')}]\n`);

    step('Converting an array to a Torch Tensor (in JS: tensor(), a copy)',
        'a = np.ones(5); b = torch.from_numpy(a); print(b)');
    const array = new Float64Array(5).fill(2);
    print(tensor(array));
}

/* ---- CUDA Tensors ---- */

function sectionCuda() {
    step('Tensors move to the GPU with .cuda(), when CUDA is available:',
        'if torch.cuda.is_available(): x = x.cuda(); y = y.cuda(); x + y');
    const x = Lt.rand([5, 3], Lt.DType.FLOAT32);
    const y = Lt.rand([5, 3], Lt.DType.FLOAT32);
    let xCuda;
    try {
        xCuda = x.to_device(Lt.Device.CUDA);
    } catch (e) {
        if (!e.matches?.(Lt.Error, Lt.Error.DEVICE))
            throw e;
        print(`CUDA is not available: ${e.message}\n`);
        return;
    }
    print(xCuda.add(y.to_device(Lt.Device.CUDA)));
}

/* ---- Autograd: automatic differentiation ---- */

function sectionAutograd() {
    step('Create a tensor that records its history:',
        'x = Variable(torch.ones(2, 2), requires_grad=True); print(x)');
    let x = Lt.ones([2, 2], Lt.DType.FLOAT32);
    x.set_requires_grad(true);
    print(x);

    step('Do an operation on it:', 'y = x + 2; print(y)');
    let y = x.add_scalar(2);
    print(y);

    step('y was created as the result of an operation, so it has a creator:',
        'print(y.grad_fn)');
    print(`${y.grad_fn}\n`);

    step('Do more operations on y:', 'z = y * y * 3; out = z.mean(); print(z, out)');
    const z = y.mul(y).mul_scalar(3);
    const out = z.mean();
    print(z);
    print(out);

    heading('Gradients', '-');
    step('Backprop, then the gradients d(out)/dx: a matrix of 4.5',
        'out.backward(); print(x.grad)');
    out.backward(null, false);
    print(x.grad);

    step('You can do many crazy things with autograd!',
        'x = Variable(torch.randn(3), requires_grad=True)\n' +
        '>>> y = x * 2\n' +
        '>>> while y.data.norm() < 1000: y = y * 2\n' +
        '>>> print(y)');
    /* Seed 0 gives randn values that take ten doublings, as the tutorial's. */
    Lt.manual_seed(0);
    x = Lt.randn([3], Lt.DType.FLOAT32);
    x.set_requires_grad(true);
    y = x.mul_scalar(2);
    let doublings = 1;
    while (noGrad(() => toArray(y.norm(2))) < 1000) {
        y = y.mul_scalar(2);
        doublings++;
    }
    print(y);

    step(null, 'gradients = torch.FloatTensor([0.1, 1.0, 0.0001]); y.backward(gradients); ' +
        'print(x.grad)');
    y.backward(tensor([0.1, 1.0, 0.0001]), false);
    print(x.grad);
    print(`(y = x * 2^${doublings}, so x.grad = 2^${doublings} * gradients)\n`);

    const pyBool = value => value ? 'True' : 'False';
    step('Stop autograd from tracking history on tensors that require grad:',
        'print(x.requires_grad); print((x ** 2).requires_grad)');
    print(pyBool(x.requires_grad));
    print(pyBool(x.pow_scalar(2).requires_grad));
    step(null, 'with torch.no_grad(): print((x ** 2).requires_grad)');
    Lt.no_grad(() => print(`${pyBool(x.pow_scalar(2).requires_grad)}\n`));
}

/* The tutorial's sections, in its order. Later sections (neural networks,
 * training a classifier) append their rows here. */
const sections = [
    ['tensors', 'What is PyTorch? Tensors', sectionTensors],
    ['numpy', 'NumPy Bridge', sectionNumpyBridge],
    ['cuda', 'CUDA Tensors', sectionCuda],
    ['autograd', 'Autograd: automatic differentiation', sectionAutograd],
];

const wanted = System.programArgs;
for (const name of wanted) {
    if (!sections.some(([n]) => n === name)) {
        printerr(`blitz.js: no section '${name}'; the sections are: ${sections.map(([n]) => n).join(' ')}`);
        System.exit(1);
    }
}

try {
    for (const [name, title, run] of sections) {
        if (wanted.length > 0 && !wanted.includes(name))
            continue;
        heading(title, '=');
        Lt.manual_seed(0);
        run();
    }
} catch (e) {
    printerr(`blitz.js: ${e.message ?? e}`);
    System.exit(1);
}
