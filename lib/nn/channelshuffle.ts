/**
 * `nn.ChannelShuffle`: the channels of `[N, C, *]` regrouped, as in ShuffleNet.
 */
import { Tensor } from '../tensor';
import { checkInt } from '../validate';
import * as F from './functional';
import { Module } from './module';

/**
 * Splits the `C` channels into `groups` groups and interleaves them: channel `g·(C/groups) + i`
 * moves to `i·groups + g`.
 * @example
 * ```ts
 * new nn.ChannelShuffle(2)(x);
 * ```
 */
export class ChannelShuffle extends Module {
  readonly groups: number;
  constructor(groups: number) { super(); this.groups = checkInt(groups, 'groups', 1); }
  forward(x: Tensor): Tensor { return F.channelShuffle(x, this.groups); }
  override extraRepr(): string { return `groups=${this.groups}`; }
}
