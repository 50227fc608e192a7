// SPDX-License-Identifier: LGPL-2.1-or-later
//
// "Deep Learning with PyTorch: A 60 Minute Blitz", section by section, in
// JavaScript (gjs) with libtensor and its helper module gi/js/lt.js.
// JavaScript has no operator overloading: x.add(y) is the tutorial's x + y,
// x.mul_scalar(2) is x * 2, x.select(1, 1) is x[:, 1].
//
//   gjs -m examples/blitz.js              run every section
//   gjs -m examples/blitz.js autograd     run the named sections only
//   gjs -m examples/blitz.js --data DIR --epochs 2 --log-interval 2000 classifier
//
// The classifier reads CIFAR-10 from --data (default ./data: the folder that
// holds cifar-10-batches-bin/ or the archive cifar-10-binary.tar.gz), trains
// for --epochs epochs, printing the running loss every --log-interval
// mini-batches, and saves the batches it shows as PNG pictures in --output
// (default .). Without the data it says so and goes on.
//
// Uninstalled, point GI_TYPELIB_PATH and LD_LIBRARY_PATH at build/libtensor
// (or use `meson devenv -C build`). Every section seeds the generator, so
// the numbers are the same as lt-blitz's (examples/blitz.c). A libtensor
// error ends the program with its message and status 1; a bad option, with
// status 2. The output is lt-blitz's (examples/blitz.c), line for line (the
// tests compare them).

import GLib from 'gi://GLib';
import System from 'system';

import Lt, {tensor, toArray, toTypedArray, typedArrayView, item, noGrad, size} from '../gi/js/lt.js';
import {Net} from './tutorial-net.js';

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

/* ---- NumPy Bridge: in JavaScript, typed arrays ---- */

function sectionNumpyBridge() {
    step('Converting a Torch Tensor to an array (in JS: typedArrayView(), no copy)',
        'a = torch.ones(5); print(a)');
    const a = Lt.ones([5], Lt.DType.FLOAT32);
    print(a);

    step(null, 'b = a.numpy(); print(b)');
    const b = typedArrayView(a);
    const copy = toTypedArray(a);
    print(`${b.constructor.name} [${b.join(', ')}]\n`);

    step('See how the array changed in value (a copy made by toTypedArray() keeps its values):',
        'a.add_(1); print(a); print(b)');
    a.add_scalar_(1);
    print(a);
    print(`${b.constructor.name} [${b.join(', ')}]`);
    print(`${copy.constructor.name} [${copy.join(', ')}] (the copy)\n`);

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

/* ---- Neural Networks ---- */

/* The command line's options, for the sections that take some. */
const options = {
    data: 'data',
    epochs: 2,
    logInterval: 2000,
    batchSize: 4,
    workers: 2,
    output: '.',
};

// class Net(nn.Module): the tutorial's network, in examples/tutorial-net.js
// (shared with the tests).

const lossValue = (net, criterion, input, target) =>
    item(criterion.compute(net.forward(input), target));

function sectionNeuralNetworks() {
    heading('Define the network', '-');
    step('A subclass of nn.Module: conv1 1->6 5x5, conv2 6->16 5x5, fc1 400->120, ' +
        'fc2 120->84, fc3 84->10', 'net = Net(); print(net)');
    const net = new Net();
    print(`${net}\n`);

    step('The learnable parameters are returned by net.parameters():',
        'params = list(net.parameters()); print(len(params)); print(params[0].size())  ' +
        "# conv1's .weight");
    const params = net.parameters();
    print(params.length);
    print(`Lt.Size([${size(params[0]).join(', ')}])\n`);

    step('The input of forward is a tensor, so is the output:',
        'input = Variable(torch.randn(1, 1, 32, 32)); out = net(input); print(out)');
    const input = Lt.randn([1, 1, 32, 32], Lt.DType.FLOAT32);
    const out = net.forward(input);
    print(out);

    step('Zero the gradient buffers of all parameters and backprop with random gradients:',
        'net.zero_grad(); out.backward(torch.randn(1, 10))');
    net.zero_grad(false);
    out.backward(Lt.randn([1, 10], Lt.DType.FLOAT32), false);
    print('');

    heading('Loss Function', '-');
    step('nn.MSELoss computes the mean-squared error between the input and the target:',
        'output = net(input); target = Variable(torch.arange(1, 11)); ' +
        'criterion = nn.MSELoss(); loss = criterion(output, target); print(loss)');
    let output = net.forward(input);
    const target = Lt.arange(1, 11, 1, Lt.DType.FLOAT32);  // a dummy target, for example
    const criterion = Lt.MSELoss.new(Lt.Reduction.MEAN);
    let loss = criterion.compute(output, target);
    print(loss);

    step('Following loss backwards through its grad_fn: MSELoss, linear (addmm), ' +
        "then the bias of fc3 (the tutorial's .creator is .grad_fn):",
        'print(loss.grad_fn); print(loss.grad_fn.next_functions[0][0]); ' +
        'print(loss.grad_fn.next_functions[0][0].next_functions[0][0])');
    const nextFunction = fn => fn.get_next_function(0)[0];
    print(loss.grad_fn);                                // MSELoss
    print(nextFunction(loss.grad_fn));                  // Linear
    print(nextFunction(nextFunction(loss.grad_fn)));    // the bias of fc3
    print('');

    heading('Backprop', '-');
    step("Clear the existing gradients, then look at conv1's bias gradient before and " +
        'after backward:',
        "net.zero_grad(); print('conv1.bias.grad before backward'); " +
        'print(net.conv1.bias.grad); loss.backward(); ' +
        "print('conv1.bias.grad after backward'); print(net.conv1.bias.grad)");
    net.zero_grad(false);  // zeroes the gradient buffers of all parameters
    print('conv1.bias.grad before backward');
    print(net.conv1.get_parameter('bias').grad);
    loss.backward(null, false);
    print('conv1.bias.grad after backward');
    print(net.conv1.get_parameter('bias').grad);

    heading('Update the weights', '-');
    step('The simplest update rule, stochastic gradient descent: ' +
        'weight = weight - learning_rate * gradient',
        'learning_rate = 0.01\n' +
        '>>> for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate)');
    const learningRate = 0.01;
    for (const f of net.parameters())
        f.detach().sub_(f.grad.detach().mul_scalar(learningRate));
    print(`loss before the update: ${item(loss).toFixed(4)}, after: ` +
        `${lossValue(net, criterion, input, target).toFixed(4)}\n`);

    step('The same with torch.optim:',
        'optimizer = optim.SGD(net.parameters(), lr=0.01)\n' +
        '>>> optimizer.zero_grad(); output = net(input); loss = criterion(output, target); ' +
        'loss.backward(); optimizer.step()');
    const optimizer = Lt.SGD.new(net.parameters(), 0.01, 0, 0, 0, false);
    optimizer.zero_grad(false);  // zero the gradient buffers
    output = net.forward(input);
    loss = criterion.compute(output, target);
    loss.backward(null, false);
    optimizer.step();  // does the update
    print(`loss before the step: ${item(loss).toFixed(4)}, after: ` +
        `${lossValue(net, criterion, input, target).toFixed(4)}\n`);
}

/* ---- Training a classifier ---- */

const classes = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/* ' '.join('%5s' % classes[labels[j]] for j in range(4)) */
const labelLine = labels => toArray(labels).map(j => classes[j].padStart(5)).join(' ');

/* imshow(torchvision.utils.make_grid(images)): the tutorial shows the grid
 * with matplotlib; here it goes to a PNG. */
function imshow(images, name) {
    const grid = Lt.make_grid(images, 8, 2, false, null, false, 0);
    if (GLib.mkdir_with_parents(options.output, 0o755) !== 0)
        throw new Error(`cannot make the folder ${options.output}`);
    const path = GLib.build_filenamev([options.output, name]);
    Lt.save_image(grid.div_scalar(2).add_scalar(0.5), path, 8, 2, false, null, false, 0);  // unnormalize
    print(`(the grid is in ${path})`);
}

/* _, predicted = torch.max(net(images), 1) */
const predict = (net, images) => net.forward(images).max_dim(1, false)[1];

/* One pass over the test set: correct and total per class. */
function evaluate(net, testloader) {
    const classCorrect = new Array(10).fill(0), classTotal = new Array(10).fill(0);
    noGrad(() => {
        for (const [images, labels] of testloader) {
            const predicted = toArray(predict(net, images));
            toArray(labels).forEach((label, i) => {
                classCorrect[label] += predicted[i] === label ? 1 : 0;
                classTotal[label] += 1;
            });
        }
    });
    return [classCorrect, classTotal];
}

function sectionClassifier() {
    heading('1. Loading and normalizing CIFAR10', '-');
    step('Tensors of normalized range [-1, 1]:',
        'transform = transforms.Compose([transforms.ToTensor(), ' +
        'transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n' +
        `>>> trainset = torchvision.datasets.CIFAR10(root='${options.data}', train=True, transform=transform)\n` +
        `>>> trainloader = torch.utils.data.DataLoader(trainset, batch_size=${options.batchSize}, ` +
        `shuffle=True, num_workers=${options.workers})\n` +
        `>>> testset = torchvision.datasets.CIFAR10(root='${options.data}', train=False, transform=transform)\n` +
        `>>> testloader = torch.utils.data.DataLoader(testset, batch_size=${options.batchSize}, ` +
        `shuffle=True, num_workers=${options.workers})`);
    const transform = Lt.Compose.new([
        Lt.ToTensor.new(),
        Lt.Normalize.new([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
    ]);
    let trainset, testset;
    try {
        trainset = Lt.Cifar10.new(options.data, true, transform, null, false, null);
        testset = Lt.Cifar10.new(options.data, false, transform, null, false, null);
    } catch (e) {
        if (!e.matches?.(Lt.Error, Lt.Error.IO))
            throw e;
        print(`Skipping this section: ${e.message}`);
        print('(pass --data with the folder that holds cifar-10-batches-bin/ or cifar-10-binary.tar.gz)\n');
        return;
    }
    const trainloader = Lt.DataLoader.new(trainset, options.batchSize, true, false, options.workers);
    const testloader = Lt.DataLoader.new(testset, options.batchSize, true, false, options.workers);
    print(`${trainset.get_length()} training images, ${testset.get_length()} test images\n`);

    step('Some of the training images:',
        'dataiter = iter(trainloader); images, labels = dataiter.next()\n' +
        '>>> imshow(torchvision.utils.make_grid(images))\n' +
        ">>> print(' '.join('%5s' % classes[labels[j]] for j in range(4)))");
    let [images, labels] = trainloader[Symbol.iterator]().next().value;
    imshow(images, 'cifar-train-batch.png');
    print(`${labelLine(labels)}\n`);

    heading('2. Define a Convolutional Neural Network', '-');
    step('The network of "Neural Networks", taking 3-channel images:', 'net = Net(); print(net)');
    const net = new Net(3);
    print(`${net}\n`);

    heading('3. Define a Loss function and optimizer', '-');
    step('Classification Cross-Entropy loss and SGD with momentum:',
        'criterion = nn.CrossEntropyLoss(); ' +
        'optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)');
    const criterion = Lt.CrossEntropyLoss.new(null, -100, Lt.Reduction.MEAN, 0);
    const optimizer = Lt.SGD.new(net.parameters(), 0.001, 0.9, 0, 0, false);
    print('');

    heading('4. Train the network', '-');
    const interval = options.logInterval;
    step('Loop over the data, feed the inputs to the network and optimize ' +
        `(${options.epochs} epochs, the loss every ${interval} mini-batches):`,
        `for epoch in range(${options.epochs}): for i, data in enumerate(trainloader, 0): ...`);
    for (let epoch = 0; epoch < options.epochs; epoch++) {  // loop over the dataset multiple times
        let runningLoss = 0.0;
        let i = 0;
        for (const [inputs, targets] of trainloader) {
            // zero the parameter gradients
            optimizer.zero_grad(false);

            // forward + backward + optimize
            const outputs = net.forward(inputs);
            const loss = criterion.compute(outputs, targets);
            loss.backward(null, false);
            optimizer.step();

            // print statistics
            runningLoss += item(loss);
            if (i % interval === interval - 1) {  // print every `interval` mini-batches
                print(`[${epoch + 1}, ${String(i + 1).padStart(5)}] loss: ` +
                    `${(runningLoss / interval).toFixed(3)}`);
                runningLoss = 0.0;
            }
            i++;
        }
    }
    print('Finished Training\n');

    heading('5. Test the network on the test data', '-');
    step('Some images of the test set and their labels:',
        'dataiter = iter(testloader); images, labels = dataiter.next()\n' +
        '>>> imshow(torchvision.utils.make_grid(images))\n' +
        ">>> print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]] for j in range(4)))");
    [images, labels] = testloader[Symbol.iterator]().next().value;
    imshow(images, 'cifar-test-batch.png');
    print(`GroundTruth:  ${labelLine(labels)}`);

    step('What the network thinks they are: the class of the highest energy',
        'outputs = net(Variable(images)); _, predicted = torch.max(outputs.data, 1)\n' +
        ">>> print('Predicted: ', ' '.join('%5s' % classes[predicted[j]] for j in range(4)))");
    print(`Predicted:  ${labelLine(predict(net, images))}\n`);

    step('How the network performs on the whole dataset:',
        'for data in testloader: ... correct += (predicted == labels).sum()');
    let [classCorrect, classTotal] = evaluate(net, testloader);
    const sum = values => values.reduce((a, b) => a + b, 0);
    const total = sum(classTotal);
    print(`Accuracy of the network on the ${total} test images: ` +
        `${Math.trunc(100 * sum(classCorrect) / total)} %\n`);

    step('The classes that performed well, and those that did not:',
        'c = (predicted == labels).squeeze(); class_correct[label] += c[i]; ...');
    [classCorrect, classTotal] = evaluate(net, testloader);
    for (let i = 0; i < 10; i++) {
        if (classTotal[i] === 0) {
            print(`Accuracy of ${classes[i].padStart(5)}: no test images`);
            continue;
        }
        print(`Accuracy of ${classes[i].padStart(5)}: ` +
            `${String(Math.trunc(100 * classCorrect[i] / classTotal[i])).padStart(2)} %`);
    }
    print('');
}

/* ---- Training on GPU ---- */

function sectionGpu() {
    step('The network moves to the GPU like a tensor, and so must every batch:',
        'device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu"); ' +
        'print(device)\n' +
        '>>> net.to(device); inputs, labels = inputs.to(device), labels.to(device)');
    try {
        Lt.zeros([1], Lt.DType.FLOAT32).to_device(Lt.Device.CUDA);
    } catch (e) {
        if (!e.matches?.(Lt.Error, Lt.Error.DEVICE))
            throw e;
        print('cpu');
        print(`CUDA is not available: ${e.message}\n`);
        return;
    }
    print('cuda:0');
    const net = new Net(3);
    net.to_device(Lt.Device.CUDA);
    const criterion = Lt.CrossEntropyLoss.new(null, -100, Lt.Reduction.MEAN, 0);
    const optimizer = Lt.SGD.new(net.parameters(), 0.001, 0.9, 0, 0, false);
    const inputs = Lt.randn([4, 3, 32, 32], Lt.DType.FLOAT32).to_device(Lt.Device.CUDA);
    const labels = tensor([0, 1, 2, 3]).to_device(Lt.Device.CUDA);
    optimizer.zero_grad(false);
    const loss = criterion.compute(net.forward(inputs), labels);
    loss.backward(null, false);
    optimizer.step();
    print(`one step on cuda:0: loss ${item(loss).toFixed(3)}\n`);
}

/* The tutorial's sections, in its order. */
const sections = [
    ['tensors', 'What is PyTorch? Tensors', sectionTensors],
    ['numpy', 'NumPy Bridge', sectionNumpyBridge],
    ['cuda', 'CUDA Tensors', sectionCuda],
    ['autograd', 'Autograd: automatic differentiation', sectionAutograd],
    ['nn', 'Neural Networks', sectionNeuralNetworks],
    ['classifier', 'Training a classifier', sectionClassifier],
    ['gpu', 'Training on GPU', sectionGpu],
];

const USAGE = `Usage: gjs -m blitz.js [OPTION…] [SECTION…]

The 60 minute blitz, section by section: ${sections.map(([n]) => n).join(', ')}.

  --data=DIR           The folder that holds CIFAR-10 (default: ./data)
  --epochs=N           Passes over the training set (default: 2)
  --log-interval=N     Print the running loss every N mini-batches (default: 2000)
  --batch-size=N       Images per mini-batch (default: 4)
  --workers=N          Threads that read the data ahead (default: 2)
  --output=DIR         The folder for the pictures of the batches (default: .)`;

function usageError(message) {
    printerr(`blitz.js: ${message}`);
    System.exit(2);
}

/* Options as `--name=value` or `--name value`; the rest are sections. */
function parseArgs(args) {
    const wanted = [];
    const numbers = {epochs: 'epochs', 'log-interval': 'logInterval', 'batch-size': 'batchSize',
        workers: 'workers'};
    for (let a = 0; a < args.length; a++) {
        const arg = args[a];
        if (arg === '-h' || arg === '--help') {
            print(USAGE);
            System.exit(0);
        }
        if (!arg.startsWith('--')) {
            if (!sections.some(([n]) => n === arg))
                usageError(`no section '${arg}'; the sections are: ${sections.map(([n]) => n).join(' ')}`);
            wanted.push(arg);
            continue;
        }
        let [name, value] = arg.slice(2).split(/=(.*)/s);
        if (!(name in numbers) && name !== 'data' && name !== 'output')
            usageError(`Unknown option ${arg}`);
        if (value === undefined) {
            if (a + 1 >= args.length)
                usageError(`Missing argument for --${name}`);
            value = args[++a];
        }
        if (name in numbers) {
            const n = Number(value);
            if (!Number.isInteger(n) || n < (name === 'workers' ? 0 : 1))
                usageError(`--${name}: '${value}' is not a valid count`);
            options[numbers[name]] = n;
        } else {
            options[name] = value;
        }
    }
    return wanted;
}

const wanted = parseArgs(System.programArgs);
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
