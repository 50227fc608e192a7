# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.Trainer`` from Python: the C training loop (LtTrainer) driven by the
objects a Python user already has.

Part of gi/overrides/Lt.py, which exports its ``Trainer``.  The trainer takes what
the tutorial's code makes::

    trainer = Lt.Trainer(net, nn.CrossEntropyLoss(), optim.SGD(...),
                         trainloader, testloader, epochs=2, log_interval=2000)
    trainer.connect('log', lambda t, epoch, i, loss: print(...))
    trainer.run()

- the model: an ``Lt.nn.Module`` (a Python subclass with ``forward``, or a
  C layer);
- the criterion: an ``Lt.nn`` loss, or any callable ``f(output, target)``
  returning a scalar tensor (``Lt.nn.functional.cross_entropy``, a lambda);
- the optimizer: an ``Lt.optim`` optimizer;
- the loaders: ``Lt.utils.data.DataLoader`` (its Python datasets and
  transforms included) or the C ``Lt.DataLoader``.  The trainer keeps the
  Python loaders alive as long as it lives.

The loop runs in a worker thread; the signals (step, log, epoch-finished,
finished, stopped, failed) are emitted on the thread that called ``run()``.
An exception raised by Python code the loop runs (a forward, a criterion,
a dataset's ``__getitem__``, a transform) ends the run: ``run()`` raises
the ``GLib.Error`` that carried it through C, with the original exception
as its ``__cause__``.  Ctrl-C during ``run()`` stops after the current
mini-batch, writes the checkpoint (when a path is set) and raises
``KeyboardInterrupt``; a second Ctrl-C, while a mini-batch that does not
end keeps the run from stopping, ends the process at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any, Callable

from gi.repository import Gio, GLib

from .common import (DeviceLike, Lt, Tensor, TensorLike, callable_name as _callable_name, carry,
                     error, override, reraise_carried as _reraise)
from .common import crosses_c
from .common import TypeError_, ValueError_
from .creation import _as_tensor
from .types import _device_pair, _lt_device
_GITensor = Lt.Tensor

_gi_run = Lt.Trainer.run
_gi_evaluate = Lt.Trainer.evaluate
_gi_predict = Lt.Trainer.predict

__all__ = ['Trainer']


class _FunctionLoss(Lt.Loss):
    """A Python callable ``f(output, target)`` as an LtLoss the C loop can
    call (from its worker thread)."""

    __gtype_name__ = 'LtPyFunctionLoss'
    __module__ = 'Lt'                   # registered as a GType (not an override)

    def __init__(self, fn):
        super().__init__()
        self._fn = fn

    def do_compute(self, input, target):
        try:
            out = self._fn(input, target)
        except GLib.Error as e:
            if crosses_c(e):
                raise
            raise carry('criterion %s' % _callable_name(self._fn), e) from None
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise carry('criterion %s' % _callable_name(self._fn), e) from None
        if not isinstance(out, _GITensor):
            raise error('criterion %s returned %s, not a tensor'
                        % (_callable_name(self._fn), type(out).__name__))
        return out

    def do_extra_repr(self):
        return _callable_name(self._fn)


def _as_loss(criterion):
    if isinstance(criterion, Lt.Loss):
        return criterion
    if callable(criterion):
        return _FunctionLoss(criterion)
    raise TypeError_('Trainer: criterion must be an Lt.nn loss or a callable '
                    'f(output, target), got %s' % type(criterion).__name__)


def _as_loader(loader, what, optional=False):
    if loader is None and optional:
        return None
    if isinstance(loader, Lt.DataLoader):
        return loader
    inner = getattr(loader, '_loader', None)
    if isinstance(inner, Lt.DataLoader):
        return inner
    raise TypeError_('Trainer: %s must be an Lt.utils.data.DataLoader or an Lt.DataLoader%s, '
                    'got %s' % (what, ' or None' if optional else '', type(loader).__name__))


class Trainer(Lt.Trainer):
    """The tutorial's training loop, run by the library in a worker thread.

    ``Lt.Trainer(model, criterion, optimizer, train_loader, test_loader=None,
    epochs=2, *, device=None, log_interval=None, checkpoint_path=None,
    checkpoint_every_epoch=None, max_steps=None, graph_interval=None,
    batch_interval=None, threaded=None, stop_on_divergence=None, max_lag=None)``; the
    keyword options set the properties of the same names (None keeps the
    default).  A loss that becomes NaN or infinite ends the run: ``run()``
    raises a GLib.Error with the code ``Lt.Error.DIVERGED`` naming the step
    (``stop_on_divergence=False`` trains on, as PyTorch does).  The loop
    runs in a worker thread; with ``threaded=False`` it runs in ``run()``
    on the calling thread (a debugger's breakpoint in a forward then stops
    the one thread).  ``max_lag`` bounds how many mini-batches the worker
    runs ahead of the ``step`` signals the main loop has delivered (256 by
    default; 1 keeps them in step, so a pause asked from a ``step``
    handler stops right after that step)."""

    def __init__(self, model: Any, criterion: Callable[[Tensor, Tensor], Tensor], optimizer: Any,
                 train_loader: Any, test_loader: Any = None, epochs: int = 2, *,
                 device: DeviceLike | None = None, log_interval: int | None = None,
                 checkpoint_path: str | None = None, checkpoint_every_epoch: bool | None = None,
                 max_steps: int | None = None, graph_interval: int | None = None,
                 batch_interval: int | None = None, threaded: bool | None = None,
                 stop_on_divergence: bool | None = None, max_lag: int | None = None) -> None:
        if not isinstance(model, Lt.Module):
            raise TypeError_('Trainer: model must be an Lt.nn.Module, got %s'
                            % type(model).__name__)
        if not isinstance(optimizer, Lt.Optimizer):
            raise TypeError_('Trainer: optimizer must be an Lt.optim optimizer, got %s'
                            % type(optimizer).__name__)
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError_('Trainer: epochs must be 0 or more, got %d' % epochs)
        props = dict(model=model, loss=_as_loss(criterion), optimizer=optimizer,
                     train_loader=_as_loader(train_loader, 'train_loader'),
                     test_loader=_as_loader(test_loader, 'test_loader', optional=True),
                     epochs=epochs)
        if device is not None:
            props['device'] = _lt_device(device)
            device_pair = _device_pair(device)
        if log_interval is not None:
            if int(log_interval) < 0:
                raise ValueError_('Trainer: log_interval must be 0 or more, got %d'
                                 % int(log_interval))
            props['log_interval'] = int(log_interval)
        if checkpoint_path is not None:
            import os
            props['checkpoint_path'] = os.fspath(checkpoint_path)
        if checkpoint_every_epoch is not None:
            props['checkpoint_every_epoch'] = bool(checkpoint_every_epoch)
        if max_steps is not None:
            if int(max_steps) < 0:
                raise ValueError_('Trainer: max_steps must be 0 or more, got %d'
                                 % int(max_steps))
            props['max_steps'] = int(max_steps)
        for name, value in (('graph_interval', graph_interval),
                            ('batch_interval', batch_interval), ('max_lag', max_lag)):
            if value is not None:
                if int(value) < 0:
                    raise ValueError_('Trainer: %s must be 0 or more, got %d' % (name, int(value)))
                props[name] = int(value)
        if threaded is not None:
            props['threaded'] = bool(threaded)
        if stop_on_divergence is not None:
            props['stop_on_divergence'] = bool(stop_on_divergence)
        super().__init__(**props)
        if device is not None:
            # cuda:N: the property holds the type, the index goes apart
            self.set_device_index(*device_pair)
        # The Python wrappers stay alive while the trainer uses their C
        # loaders (a DataLoader's __del__ stops its workers).
        self._lt_py_objects = (model, criterion, optimizer, train_loader, test_loader)

    def run(self, cancellable: Gio.Cancellable | None = None) -> None:
        """Trains until the run ends, dispatching the signals meanwhile.
        Returns True when the run finished or was stopped (see ``state``);
        raises GLib.Error when it failed (with the Python exception that
        caused it as ``__cause__``), KeyboardInterrupt after a Ctrl-C (the
        run stopped and its checkpoint written)."""
        interrupted = []
        source = None
        python_handler = None
        if threading.current_thread() is threading.main_thread():
            def on_sigint():
                interrupted.append(True)
                if len(interrupted) == 1:
                    self.stop()
                    return GLib.SOURCE_CONTINUE
                # The run did not stop (a mini-batch that does not end: a
                # dataset blocked in a read, say): a second Ctrl-C ends the
                # process, as it would without this handler.
                sys.stderr.write('Lt.Trainer.run: interrupted again: quitting now\n')
                sys.stderr.flush()
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGINT)
                return GLib.SOURCE_CONTINUE
            python_handler = signal.getsignal(signal.SIGINT)
            source = GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, on_sigint)
        try:
            ok = _gi_run(self, cancellable)
        except GLib.Error as err:
            _reraise(err)
        finally:
            if source is not None:
                GLib.source_remove(source)
                # GLib leaves SIGINT to the system's default action (ending
                # the process) when its last source goes: Python's handler
                # comes back, so Ctrl-C raises KeyboardInterrupt again.
                if python_handler is not None:
                    signal.signal(signal.SIGINT, python_handler)
        if interrupted:
            raise KeyboardInterrupt
        return ok

    def evaluate(self, loader: Any, cancellable: Gio.Cancellable | None = None) -> Any:
        """Accuracy on a loader (the model in eval mode, without gradients):
        ``(accuracy, class_accuracy, confusion)`` with accuracy a fraction
        in [0, 1], class_accuracy a float64 tensor (classes) and confusion
        an int64 tensor (true class, predicted class)."""
        try:
            _, accuracy, per_class, confusion = _gi_evaluate(
                self, _as_loader(loader, 'loader'), cancellable)
        except GLib.Error as err:
            _reraise(err)
        return accuracy, per_class, confusion

    def predict(self, inputs: TensorLike) -> Tensor:
        """The predicted classes (int64, N) of a batch of inputs."""
        try:
            return _gi_predict(self, _as_tensor(inputs, 'inputs'))
        except GLib.Error as err:
            _reraise(err)

    @property
    def state(self) -> Lt.TrainerState:
        return self.get_state()

    @property
    def epoch(self) -> int:
        return self.get_epoch()

    @property
    def iteration(self) -> int:
        return self.get_iteration()

    @property
    def step_count(self) -> int:
        return self.get_step()


override(Trainer)
