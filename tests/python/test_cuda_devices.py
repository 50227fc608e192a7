#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""CUDA device indices and pinned memory from Python, on two emulated
devices (LT_CUDA_EMULATE=2, set by tests/python/meson.build): the
spellings Lt.device('cuda:1'), t.to('cuda:1'), t.cuda(1), t.device,
net.cuda(1), Lt.cuda.device_count/set_device/current_device, values
carried between the devices, the error of an op whose inputs are on two
devices, t.pin_memory() and DataLoader(pin_memory=True); coordinate
indexing (x[i], x[i, j], x[i, j] = v, nonzero, take, index_put_,
scatter) on a device, equal to the CPU's and to torch's."""

import os
import unittest

import torch

from harness import main

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402


class TestCudaDevices(unittest.TestCase):
    def tearDown(self):
        Lt.cuda.set_device(0)

    def test_environment(self):
        self.assertEqual(os.environ.get('LT_CUDA_EMULATE'), '2')
        self.assertEqual(Lt.cuda.device_count(), 2)
        self.assertNotEqual(Lt.cuda.get_device_name(0), Lt.cuda.get_device_name(1))
        free, total = Lt.cuda.mem_get_info(1)
        self.assertGreater(total, 0)

    def test_spellings(self):
        a = [[1.0, -2.0], [3.5, 4.0]]
        x = Lt.tensor(a)
        for y in (x.to('cuda:1'), x.cuda(1), x.to(Lt.device('cuda', 1)),
                  x.to(device='cuda:1'), Lt.tensor(a, device='cuda:1')):
            self.assertTrue(y.is_cuda)
            self.assertEqual(str(y.device), 'cuda:1')
            self.assertEqual(y.device, Lt.device('cuda:1'))
            self.assertEqual(y.get_device_index(), 1)
            self.assertEqual(y.cpu().tolist(), a)
        self.assertEqual(str(x.cuda().device), 'cuda:0')
        self.assertEqual(str(x.cuda(0).device), 'cuda:0')
        self.assertEqual(str(x.device), 'cpu')
        self.assertEqual(x.get_device_index(), -1)
        # the same device: the same tensor
        y = x.cuda(1)
        self.assertIs(y.to('cuda:1'), y)
        # creation functions and *_like keep the index
        z = Lt.zeros(2, 3, device='cuda:1')
        self.assertEqual(str(z.device), 'cuda:1')
        self.assertEqual(str(Lt.ones_like(z).device), 'cuda:1')
        self.assertEqual(str(Lt.full_like(z, 2.0).device), 'cuda:1')

    def test_ops_between_devices(self):
        x = Lt.tensor([1.0, 2.0, 3.0])
        a, b = x.cuda(0), x.cuda(1)
        s = b + b
        self.assertEqual(str(s.device), 'cuda:1')
        self.assertEqual(s.cpu().tolist(), [2.0, 4.0, 6.0])
        with self.assertRaises(GLib.Error) as cm:
            a + b
        self.assertIn('expected all tensors on the same device, found cuda:0 and cuda:1',
                      str(cm.exception))
        with self.assertRaises(GLib.Error) as cm:
            x + b
        self.assertIn('cpu', str(cm.exception))
        self.assertIn('cuda:1', str(cm.exception))
        # cuda:1 to cuda:0
        c = s.to('cuda:0')
        self.assertEqual(str(c.device), 'cuda:0')
        self.assertEqual(c.cpu().tolist(), [2.0, 4.0, 6.0])
        with self.assertRaises(GLib.Error):
            x.to('cuda:2')

    def test_set_device(self):
        self.assertEqual(Lt.cuda.current_device(), 0)
        Lt.cuda.set_device(1)
        self.assertEqual(Lt.cuda.current_device(), 1)
        x = Lt.tensor([1.0])
        self.assertEqual(str(x.cuda().device), 'cuda:1')
        self.assertEqual(str(x.to('cuda').device), 'cuda:1')
        self.assertEqual(str(Lt.zeros(2, device='cuda').device), 'cuda:1')
        Lt.cuda.set_device('cuda:0')
        self.assertEqual(Lt.cuda.current_device(), 0)
        with self.assertRaises(GLib.Error):
            Lt.cuda.set_device(2)
        self.assertEqual(Lt.cuda.current_device(), 0)
        before = Lt.cuda.memory_allocated(1)
        y = x.cuda(1)
        self.assertGreater(Lt.cuda.memory_allocated(1), before)
        del y
        Lt.cuda.synchronize(1)

    def test_module(self):
        net = Lt.nn.Linear(3, 2)
        self.assertIs(net.cuda(1), net)
        for p in net.parameters():
            self.assertEqual(str(p.device), 'cuda:1')
        out = net(Lt.randn(4, 3).to('cuda:1'))
        self.assertEqual(str(out.device), 'cuda:1')
        out.sum().backward()
        for p in net.parameters():
            self.assertEqual(str(p.grad.device), 'cuda:1')
        with self.assertRaises(GLib.Error):
            net(Lt.randn(4, 3).cuda(0))
        net.to('cuda:0')
        self.assertEqual(str(net.weight.device), 'cuda:0')
        net.cpu()
        self.assertEqual(str(net.weight.device), 'cpu')

    def test_autograd_between_devices(self):
        x = Lt.tensor([1.0, 2.0, 3.0], device='cuda:0', requires_grad=True)
        (x.to('cuda:1') ** 2).sum().backward()
        self.assertEqual(str(x.grad.device), 'cuda:0')
        self.assertEqual(x.grad.cpu().tolist(), [2.0, 4.0, 6.0])

    def test_pin_memory(self):
        x = Lt.tensor([[1.0, 2.0], [3.0, 4.0]])
        self.assertFalse(x.is_pinned())
        p = x.pin_memory()
        self.assertTrue(p.is_pinned())
        self.assertEqual(str(p.device), 'cpu')
        self.assertEqual(p.tolist(), x.tolist())
        d = p.to('cuda:1', non_blocking=True)
        self.assertEqual(d.cpu().tolist(), x.tolist())
        with self.assertRaises(GLib.Error) as cm:
            d.pin_memory()
        self.assertIn('only CPU tensors can be pinned', str(cm.exception))

    def test_data_loader_pin_memory(self):
        data = Lt.utils.data.TensorDataset(Lt.arange(12.0).reshape(6, 2),
                                           Lt.arange(6))
        loader = Lt.utils.data.DataLoader(data, batch_size=4, pin_memory=True)
        batches = list(loader)
        self.assertEqual(len(batches), 2)
        for xb, yb in batches:
            self.assertTrue(xb.is_pinned())
            self.assertTrue(yb.is_pinned())
        self.assertEqual(batches[0][0].tolist(), [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
        plain = Lt.utils.data.DataLoader(data, batch_size=4)
        self.assertFalse(next(iter(plain))[0].is_pinned())

    def test_coordinate_indexing(self):
        rows = [[1.0, -2.0, 0.0, 0.5], [3.5, 0.0, 4.0, 0.0], [5.0, 6.0, -7.0, 1e8]]
        i0, i1 = [2, 0, -1, 2], [1, 3, 1, 1]
        # repeated rows: the sums and products must come in the CPU's order
        # (1e8 + 1 + 1 - 1e8 in float32 depends on it)
        vals = [[1.0, 2.0, 3.0, -1e8], [1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 2.0, 1.0],
                [1.0, 3.0, 1.0, 1.0]]
        sidx = [[0, 1, 2, 0], [0, 0, 1, 2], [2, 0, 1, 0]]
        tx = torch.tensor(rows)
        ti0, ti1 = torch.tensor(i0), torch.tensor(i1)
        for dev in ('cuda:0', 'cuda:1'):
            got = {}
            for where in ('cpu', dev):
                x = Lt.tensor(rows).to(where)
                a, b = Lt.tensor(i0).to(where), Lt.tensor(i1).to(where)
                v = Lt.tensor(vals).to(where)
                r = {'x[a]': x[a], 'x[a, b]': x[a, b], 'nonzero': x.nonzero(),
                     'take': x.take(a), 'scatter': x.scatter(0, Lt.tensor(sidx).to(where), 1.0),
                     'scatter_mul': x.scatter(0, Lt.tensor(sidx).to(where), 2.0,
                                              reduce='multiply'),
                     'scatter_add': x.scatter(0, Lt.tensor(sidx).to(where), v[:3],
                                              reduce='add')}
                y = x.clone()
                y[a, b] = 3.0
                r['put_scalar'] = y
                for acc in (False, True):
                    y = x.clone()
                    self.assertIs(y.index_put_((a,), v, accumulate=acc), y)
                    r['put_%s' % acc] = y
                for k, t in r.items():
                    self.assertEqual(str(t.device), where, k)
                got[where] = {k: t.cpu().tolist() for k, t in r.items()}
            self.assertEqual(got[dev], got['cpu'])
            want = {'x[a]': tx[ti0], 'x[a, b]': tx[ti0, ti1], 'nonzero': tx.nonzero(),
                    'take': tx.take(ti0),
                    'scatter': tx.scatter(0, torch.tensor(sidx), 1.0),
                    'scatter_mul': tx.scatter(0, torch.tensor(sidx), 2.0, reduce='multiply'),
                    'scatter_add': tx.scatter(0, torch.tensor(sidx), torch.tensor(vals[:3]),
                                              reduce='add')}
            y = tx.clone()
            y[ti0, ti1] = 3.0
            want['put_scalar'] = y
            for acc in (False, True):
                want['put_%s' % acc] = tx.clone().index_put_((ti0,), torch.tensor(vals),
                                                             accumulate=acc)
            for k, t in want.items():
                self.assertEqual(got[dev][k], t.tolist(), k)

    def test_coordinate_indexing_errors(self):
        x = Lt.tensor([[1.0, 2.0], [3.0, 4.0]]).to('cuda:1')
        bad = Lt.tensor([0, 2]).to('cuda:1')
        # found on the device: raised at the next synchronisation at the latest
        with self.assertRaises(GLib.Error) as cm:
            x[bad].cpu()
        self.assertIn('index 2', str(cm.exception))
        with self.assertRaises(GLib.Error) as cm:
            x.take(Lt.tensor([-5]).to('cuda:1')).cpu()
        self.assertIn('index -5', str(cm.exception))
        # a bad index writes nothing, not even the good ones before it
        y = x.clone()
        with self.assertRaises(GLib.Error):
            y.index_put_((bad,), Lt.tensor([9.0, 9.0], device='cuda:1'), accumulate=True)
            y.cpu()
        self.assertEqual(y.cpu().tolist(), [[1.0, 2.0], [3.0, 4.0]])
        with self.assertRaises(GLib.Error):
            y.scatter_(0, Lt.tensor([[0, 2]]).to('cuda:1'), 7.0)
            y.cpu()
        self.assertEqual(y.cpu().tolist(), [[1.0, 2.0], [3.0, 4.0]])


if __name__ == '__main__':
    main()
