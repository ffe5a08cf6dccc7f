import { avatarColor, initials } from "../format";

export function Avatar(props: { id: number; name: string; size?: number; online?: boolean; group?: boolean }) {
  const size = props.size ?? 48;
  return (
    <span class="avatar" style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px` }} aria-hidden="true">
      <span class="avatar-face" style={{ background: avatarColor(props.id) }}>{initials(props.name)}</span>
      {props.online && <span class="online-dot" />}
    </span>
  );
}
