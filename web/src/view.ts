// What a page of the app is, and what it gets from the shell (main.ts) that mounts it.
import type { Me } from './api';

export type Cleanup = () => void;
export interface View { mount(el: HTMLElement, ctx: Ctx): Cleanup | void | Promise<Cleanup | void> }
export interface Ctx { me: Me | null; navigate(path: string): void; refreshUser(): Promise<void> }
