// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The tutorial's network, defined once in JavaScript for the examples and
// the tests (the C definition is viewer/cli/lt-train-net.c, the Python one
// examples/tutorial_net.py).
//
//     import {Net} from './tutorial-net.js';
//     const net = new Net();      // "Neural Networks": 1x32x32 images
//     const cifar = new Net(3);   // "Training a classifier": 3x32x32 images

import GObject from 'gi://GObject';

import Lt, {size} from '../gi/js/lt.js';

/**
 * class Net(nn.Module): the tutorial's network. With 1 input channel it is
 * the one of "Neural Networks" (max pooling with F.max_pool2d); with 3 the
 * classifier's, which holds its pooling as a module, this.pool. Both print
 * as "Net", as in the tutorial (a GObject type name is taken once).
 */
export const Net = GObject.registerClass(class Net extends Lt.Module {
    /**
     * @param {number} inChannels - the images' channels, 1 or 3
     */
    constructor(inChannels = 1) {
        super();
        // inChannels image channels, 6 output channels, 5x5 square convolution kernel
        this._add('conv1', Lt.Conv2d.new(inChannels, 6, [5, 5], null, null, null, 1, true));
        if (inChannels === 3)
            this._add('pool', Lt.MaxPool2d.new([2], [2], [], [], false));
        this._add('conv2', Lt.Conv2d.new(6, 16, [5, 5], null, null, null, 1, true));
        // an affine operation: y = Wx + b
        this._add('fc1', Lt.Linear.new(16 * 5 * 5, 120, true));
        this._add('fc2', Lt.Linear.new(120, 84, true));
        this._add('fc3', Lt.Linear.new(84, 10, true));
    }

    _add(name, module) {
        this.register_module(name, module);
        this[name] = module;
    }

    // F.max_pool2d(F.relu(conv(x)), 2), or self.pool(F.relu(conv(x)))
    _convReluPool(conv, x) {
        const r = conv.forward(x).relu();
        if (this.pool)
            return this.pool.forward(r);
        // Max pooling over a (2, 2) window
        return Lt.max_pool2d(r, [2, 2], [2, 2], [0, 0], [1, 1], false)[0];
    }

    vfunc_forward(x) {
        if (x.get_n_dims() !== 4)
            throw new RangeError(`Net takes (N, C, H, W) images, not ${x.get_n_dims()} dimensions`);
        x = this._convReluPool(this.conv1, x);
        x = this._convReluPool(this.conv2, x);
        x = x.view([-1, this.numFlatFeatures(x)]);
        x = this.fc1.forward(x).relu();
        x = this.fc2.forward(x).relu();
        return this.fc3.forward(x);
    }

    numFlatFeatures(x) {
        // all dimensions except the batch dimension
        return size(x).slice(1).reduce((a, b) => a * b, 1);
    }
});
